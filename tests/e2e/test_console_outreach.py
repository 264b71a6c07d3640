"""The console's outreach pages in a real browser against `make run` with the demo
loaded: the delegation's trip with its three stops in order (Toronto, Washington,
Oakland) on a timeline; the Toronto forum's invitations, attendance and interests as
GraphQL has them; contacts with consent badges as GraphQL has them; follow-ups in the
API's order, overdue first; a follow-up the test schedules appearing (in the API's
order) without a reload and marked done in the page (a userError shown next to its
field first); attendance recorded and an interest captured at an event the test makes;
a VIEWER seeing no personal data; every page in Chinese too, audited by axe, screenshots
in the artifacts.

The make-run stack is shared with the other console modules: these tests change only
records they make themselves (a contact, a trip, an event and a follow-up named with a
fresh suffix, owned by "outreach-test"), and assert no count others may change except
as read from GraphQL just before."""

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from pavilion_core.secrets import DEV_DEFAULTS
from playwright.async_api import Browser, Page, expect

from tests.e2e.browser import audit, guarded, shoot
from tests.e2e.make_run import MakeRun
from tests.e2e.test_console import clean, graphql
from tests.support import eventually

pytestmark = pytest.mark.timeout(600)
OWNER = "outreach-test"
TRIP = f"North America {datetime.now(UTC).year}"  # the demo's, around make run's first day
TRIPS = "{ delegations(first: 10) { edges { node { trips { id name } } } } }"
STOPS = "query($id: ID!) { trip(id: $id) { stops { city startsOn endsOn events { id } } } }"
EVENT = """query($id: ID!) { node(id: $id) { ... on OutreachEvent { name invited accepted attended
  invitations(first: 1) { totalCount } interests(first: 100) { edges { node { stage } } } } } }"""
CONTACTS = """{ contacts(first: 50) { edges { node { id name email
  consents { legalBasis withdrawnAt } } } } }"""
FOLLOW_UPS = """{ followUps(filter: {status: [SCHEDULED]}, first: 100) {
  edges { node { id overdue owner } } } }"""


async def open_page(page: Page, run: MakeRun, token: str, route: str) -> None:
    """Sign in with `token` and go to `route` through the nav, as a person would."""
    console = run.sign_in_link.split("#", 1)[0]
    await page.goto(f"{console}#token={token}")
    await page.get_by_role("navigation").get_by_role("link", name=route).click()


def admin(run: MakeRun) -> str:
    return run.sign_in_link.split("#token=", 1)[1]


def viewer() -> str:
    dev = AuthSettings(DEV_DEFAULTS["PAVILION_JWT_SECRET"], None, "pavilion", "pavilion-gateway")
    return mint(dev, "viewer:outreach", Role.VIEWER)


async def demo_trip(run: MakeRun) -> dict[str, Any]:
    trips = [
        t
        for d in (await graphql(run, TRIPS))["delegations"]["edges"]
        for t in d["node"]["trips"]
        if t["name"] == TRIP
    ]
    assert len(trips) == 1, trips
    return {**trips[0], **(await graphql(run, STOPS, id=trips[0]["id"]))["trip"]}


async def test_the_trips_stops_in_order_and_an_events_invitations_and_interests(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    trip = await demo_trip(made_run)
    assert [s["city"] for s in trip["stops"]] == ["Toronto", "Washington", "Oakland"]
    forum = (await graphql(made_run, EVENT, id=trip["stops"][0]["events"][0]["id"]))["node"]
    stages = [e["node"]["stage"] for e in forum["interests"]["edges"]]
    async with guarded(browser) as watch:
        page = await watch.page()
        await open_page(page, made_run, admin(made_run), "Outreach")
        await expect(page.get_by_role("heading", name="Delegations and trips")).to_be_visible()
        await expect(page.get_by_test_id("members").first).to_contain_text("·")
        await shoot(page, artifacts, "outreach-en")
        assert await audit(page) == []

        await page.get_by_role("link", name=TRIP).click()
        stops = page.get_by_test_id("stop")
        await expect(stops).to_have_count(3)
        for n, (city, zone) in enumerate(
            [("Toronto", "EST"), ("Washington", "EST"), ("Oakland", "PST")]
        ):
            await expect(stops.nth(n).get_by_role("heading")).to_have_text(city)
            await expect(stops.nth(n)).to_contain_text(zone)  # its events at local time
        toronto = [date.fromisoformat(trip["stops"][0][k]) for k in ("startsOn", "endsOn")]
        days = " \u2013 ".join(f"{d:%b} {d.day}, {d.year}" for d in toronto)  # e.g. Nov 30, 2026
        await expect(stops.nth(0)).to_contain_text(days)
        await expect(stops.nth(0)).to_contain_text("2:00 PM EST")
        await shoot(page, artifacts, "outreach-trip-en")
        assert await audit(page) == []

        await page.get_by_role("link", name=forum["name"]).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(forum["name"])
        for key in ("invited", "accepted", "attended"):
            await expect(page.get_by_test_id(f"count-{key}")).to_have_text(f"{forum[key]:,}")
        await expect(page.get_by_test_id("count-interests")).to_have_text(f"{len(stages):,}")
        rows = page.get_by_test_id("invitations").locator("tbody tr")
        await expect(rows).to_have_count(forum["invitations"]["totalCount"])
        came = rows.filter(has=page.get_by_role("cell", name="Came", exact=True))
        await expect(came).to_have_count(forum["attended"])
        interests = page.get_by_test_id("interests").locator("tbody tr")
        await expect(interests).to_have_count(len(stages))
        converted = interests.filter(has=page.get_by_role("cell", name="Converted", exact=True))
        await expect(converted).to_have_count(stages.count("CONVERTED"))
        await shoot(page, artifacts, "outreach-event-en")
        assert await audit(page) == []
    clean(watch)


async def test_contacts_show_their_consents_and_are_searchable(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    contacts = [e["node"] for e in (await graphql(made_run, CONTACTS))["contacts"]["edges"]]
    expected = {
        c["id"]: ["WITHDRAWN" if x["withdrawnAt"] else x["legalBasis"] for x in c["consents"]]
        for c in contacts
    }
    assert {"EXPRESS", "IMPLIED"} <= {b for bs in expected.values() for b in bs}  # the demo's
    async with guarded(browser) as watch:
        page = await watch.page()
        await open_page(page, made_run, admin(made_run), "Contacts")
        table = page.get_by_test_id("contacts")
        await expect(table.locator("tbody tr")).to_have_count(len(contacts))
        for contact_id, bases in expected.items():
            badges = table.locator(f'tr[data-id="{contact_id}"] li[data-basis]')
            assert await badges.evaluate_all("bs => bs.map(b => b.dataset.basis)") == bases
        implied = table.locator('li[data-basis="IMPLIED"]').first
        await expect(implied).to_contain_text("implied until")  # its expiry
        await shoot(page, artifacts, "outreach-contacts-en")
        assert await audit(page) == []

        one = contacts[3]
        found = await graphql(
            made_run,
            "query($s: String) { contacts(filter: {search: $s}) { totalCount } }",
            s=one["name"],
        )
        await page.get_by_label("Search").fill(one["name"])
        await expect(table.locator("tbody tr")).to_have_count(found["contacts"]["totalCount"])
        await expect(table.locator(f'tr[data-id="{one["id"]}"]')).to_contain_text(one["email"])
    clean(watch)


async def test_follow_ups_overdue_first_live_and_marked_done(
    made_run: MakeRun, browser: Browser, artifacts: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    contact = await register_contact(made_run, f"Follow Up {suffix}")
    async with guarded(browser) as watch:
        page = await watch.page()
        await open_page(page, made_run, admin(made_run), "Follow-ups")
        items = page.get_by_test_id("follow-ups").locator("li.follow-up")
        await expect(items.first).to_be_visible()
        listed = [e["node"] for e in (await graphql(made_run, FOLLOW_UPS))["followUps"]["edges"]]
        await expect(items).to_have_count(len(listed))
        assert await items.evaluate_all("ls => ls.map(l => l.dataset.id)") == [
            f["id"] for f in listed
        ]
        overdue = [f["overdue"] for f in listed]
        assert True in overdue and False in overdue  # the demo's
        assert overdue == sorted(overdue, reverse=True)  # overdue first
        await expect(items.first.locator(".overdue-badge")).to_have_text("Overdue")
        await shoot(page, artifacts, "outreach-follow-ups-en")
        assert await audit(page) == []

        # live: one scheduled elsewhere (long overdue) comes first, with no reload
        scheduled = await graphql(
            made_run,
            """mutation($s: ID!, $o: String!) { scheduleFollowUp(input: {subjectId: $s,
              owner: $o, dueAt: "2020-01-06T09:00:00Z", note: "live test"}) {
              userErrors { message } followUp { id } } }""",
            s=contact,
            o=OWNER,
        )
        mine = scheduled["scheduleFollowUp"]["followUp"]["id"]
        item = items.and_(page.locator(f'[data-id="{mine}"]'))
        await expect(item).to_be_visible(timeout=30_000)

        async def in_the_apis_order() -> bool:  # (the scheduler may yet mark it overdue)
            edges = (await graphql(made_run, FOLLOW_UPS))["followUps"]["edges"]
            shown = await items.evaluate_all("ls => ls.map(l => l.dataset.id)")
            return bool(shown == [e["node"]["id"] for e in edges])

        await eventually(in_the_apis_order, what="the API's order", within=30)
        await expect(item).to_contain_text(f"Contact: Follow Up {suffix}")

        # a userError next to the field it names, then done for real
        outcome = item.get_by_label("Outcome")
        await outcome.fill("x" * 1001)
        await item.get_by_role("button", name="Mark done").click()
        error = item.locator(".field-error")
        await expect(error).to_be_visible()
        assert await error.evaluate("e => e.previousElementSibling.tagName") == "BUTTON"
        await outcome.fill("met at the forum")
        await item.get_by_role("button", name="Mark done").click()
        await expect(item).to_have_count(0, timeout=30_000)
    clean(watch)


async def test_attendance_and_an_interest_recorded_at_an_event(
    made_run: MakeRun, browser: Browser
) -> None:
    suffix = uuid.uuid4().hex[:6]
    event = await accepted_invitation(made_run, suffix)
    async with guarded(browser) as watch:
        page = await watch.page()
        await open_page(page, made_run, admin(made_run), "Outreach")
        await page.get_by_role("link", name=f"Test trip {suffix}").click()
        await page.get_by_role("link", name=f"Test breakfast {suffix}").click()
        await expect(page.get_by_test_id("count-attended")).to_have_text("0")
        row = page.get_by_test_id("invitations").locator("tbody tr")
        await row.get_by_role("button", name="Came").click()
        await expect(page.get_by_test_id("count-attended")).to_have_text("1", timeout=30_000)
        await row.get_by_label("Interest").select_option("PARTNER")
        await row.get_by_role("button", name="Capture interest").click()
        interests = page.get_by_test_id("interests").locator("tbody tr")
        await expect(interests).to_have_count(1, timeout=30_000)
        await expect(interests).to_contain_text("To partner")
        await expect(interests).to_contain_text("Captured")
    clean(watch)
    answer = await graphql(
        made_run,
        """query($id: ID!) { node(id: $id) {
          ... on OutreachEvent { attended interests { totalCount } } } }""",
        id=event,
    )
    assert answer["node"] == {"attended": 1, "interests": {"totalCount": 1}}


async def test_a_viewer_sees_no_personal_data(made_run: MakeRun, browser: Browser) -> None:
    contacts = [e["node"] for e in (await graphql(made_run, CONTACTS))["contacts"]["edges"]]
    owners = {
        f["node"]["owner"] for f in (await graphql(made_run, FOLLOW_UPS))["followUps"]["edges"]
    }
    async with guarded(browser) as watch:
        page = await watch.page()
        await open_page(page, made_run, viewer(), "Contacts")
        table = page.get_by_test_id("contacts")
        await expect(table.locator("tbody tr")).to_have_count(len(contacts))
        text = await page.locator("main").inner_text()
        assert "hidden" in text
        assert not [c for c in contacts if c["name"] in text or c["email"] in text]
        await page.get_by_role("navigation").get_by_role("link", name="Follow-ups").click()
        await expect(page.get_by_test_id("follow-ups").locator("li").first).to_contain_text(
            "Owner: hidden"
        )
        text = await page.locator("main").inner_text()
        assert not [o for o in owners if o and o in text]
        assert await page.get_by_role("button", name="Mark done").count() == 0
    clean(watch)


@pytest.mark.parametrize("route", ["Outreach", "Contacts", "Follow-ups"])
async def test_the_pages_in_chinese(
    made_run: MakeRun, browser: Browser, artifacts: Path, route: str
) -> None:
    # the nav's link, the page's heading
    chinese = {
        "Outreach": ("出访", "代表团与行程"),
        "Contacts": ("联系人", "联系人"),
        "Follow-ups": ("跟进", "跟进"),
    }
    link, heading = chinese[route]
    async with guarded(browser, locale="zh-CN") as watch:
        page = await watch.page()
        console = made_run.sign_in_link.split("#", 1)[0]
        await page.goto(f"{console}#token={admin(made_run)}")
        await page.get_by_role("navigation").get_by_role("link", name=link).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        await expect(page.locator("main")).not_to_contain_text("outreach.")  # no key untranslated
        if route == "Outreach":  # the delegations, a trip, an event
            await shoot(page, artifacts, "outreach-zh-CN")
            assert await audit(page) == []
            await page.get_by_role("link", name=TRIP).click()
            await expect(page.get_by_test_id("stop")).to_have_count(3)
            await expect(page.locator("main")).to_contain_text("已邀请")
            await shoot(page, artifacts, "outreach-trip-zh-CN")
            assert await audit(page) == []
            await page.get_by_test_id("stop").first.get_by_role("link").click()
            await expect(page.get_by_test_id("count-invited")).to_be_visible()
            await expect(page.get_by_role("heading", name="邀请", exact=True)).to_be_visible()
            route = "event"
        await expect(page.get_by_text("加载中")).to_have_count(0)
        await shoot(page, artifacts, f"outreach-{route.lower()}-zh-CN")
        assert await audit(page) == []
    clean(watch)


async def register_contact(run: MakeRun, name: str, organization: str | None = None) -> str:
    answer = await graphql(
        run,
        """mutation($n: String!, $e: String!, $o: ID) { registerContact(input: {name: $n,
          email: $e, country: "CA", organizationId: $o}) {
          userErrors { message } contact { id } } }""",
        n=name,
        e=f"{name.lower().replace(' ', '.')}@outreach-test.example",
        o=organization,
    )
    assert answer["registerContact"]["userErrors"] == [], answer
    return answer["registerContact"]["contact"]["id"]  # type: ignore[no-any-return]


async def accepted_invitation(run: MakeRun, suffix: str) -> str:
    """A trip, an event at its stop and a contact who accepted the invitation: the event."""
    delegation = (await graphql(run, "{ delegations(first: 1) { edges { node { id } } } }"))[
        "delegations"
    ]["edges"][0]["node"]["id"]
    organization = await graphql(
        run,
        """mutation($n: String!) { registerOrganization(input: {name: $n, kind: COMPANY,
          country: "CA"}) { userErrors { message } organization { id } } }""",
        n=f"Guest Works {suffix}",
    )
    contact = await register_contact(
        run, f"Guest {suffix}", organization["registerOrganization"]["organization"]["id"]
    )
    trip = await graphql(
        run,
        """mutation($d: ID!, $n: String!) { planTrip(input: {delegationId: $d, name: $n,
          stops: [{city: "Montreal", country: "CA", startsOn: "2025-11-28",
          endsOn: "2025-11-28", timeZone: "America/Toronto"}]}) {
          userErrors { message } trip { id } } }""",
        d=delegation,
        n=f"Test trip {suffix}",
    )
    event = await graphql(
        run,
        """mutation($t: ID!, $n: String!) { scheduleOutreachEvent(input: {tripId: $t,
          stopIndex: 0, name: $n, kind: NETWORKING_BREAKFAST,
          startsAt: "2025-11-28T08:00:00-05:00", endsAt: "2025-11-28T10:00:00-05:00"}) {
          userErrors { message } outreachEvent { id } } }""",
        t=trip["planTrip"]["trip"]["id"],
        n=f"Test breakfast {suffix}",
    )
    event_id: str = event["scheduleOutreachEvent"]["outreachEvent"]["id"]
    for mutation in (
        "inviteContact(input: {eventId: $e, contactId: $c})",
        "recordRsvp(input: {eventId: $e, contactId: $c, accept: true})",
    ):
        answer = await graphql(
            run,
            f"mutation($e: ID!, $c: ID!) {{ {mutation} {{ userErrors {{ message }} }} }}",
            e=event_id,
            c=contact,
        )
        assert next(iter(answer.values()))["userErrors"] == [], answer
    return event_id
