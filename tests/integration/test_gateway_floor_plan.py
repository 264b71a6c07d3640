"""What the console's pages ask of the API, against the real exhibitors service and read
model: the halls' booths with their state and holder (an EXHIBITOR sees only its own
holder, a VIEWER no personal data), the waitlist in the order a freed booth goes to it,
a free booth assigned by assignBooth, and the actions each viewer may take on an
application now. A floor plan too costly to answer is refused. recordChanged pushes a
changed record of a list page, masked for a VIEWER."""

import asyncio
import dataclasses
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from exhibitors.demo import BOOTHS_PER_AREA, HALLS, load
from gateway.auth import Role, Viewer
from gateway.context import Context
from gateway.projector import Projector
from gateway.readmodel import READ_MODEL
from gateway.relay import global_id
from gateway.schema import schema
from pavilion_core.testing import FixedClock

from tests.integration.test_consistency import ByHand, gateway  # noqa: F401 (a fixture)
from tests.integration.test_exhibitors_api import CONTRACT, EDITION, contracted, submitted
from tests.support import STORY_TIME, cloud_event, eventually, ok

PLAN = """query($edition: String!) {
  floorPlan(edition: $edition) {
    halls { code booths(first: 100) { totalCount edges { node {
      code sizeSqm supplyChainArea state holder { id companyName } } } } }
    waitlist(first: 10) { totalCount edges { node {
      position previousEditions boothSizeSqm exhibitor { id companyName contacts { name } } } } }
  }
}"""
ACTIONS = "query($id: ID!) { exhibitor(id: $id) { status allowedActions } }"
ASSIGN = """mutation($app: ID!, $hall: String!, $code: String!) {
  assignBooth(input: {applicationId: $app, hall: $hall, boothCode: $code}) {
    userErrors { code message } exhibitor { booth { code } allowedActions } } }"""
COSTLY = """{ floorPlan(edition: "CISCE-2026") { halls { booths(first: 100) { edges { node {
  holder { contacts { name email phone } timeline(first: 100) { edges { node { id } } } }
} } } } } }"""
OWNERS_WHILE_OPEN = [
    "WITHDRAW_APPLICATION",
    "UPDATE_EXHIBITOR_PROFILE",
    "ADD_EXHIBITOR_CONTACT",
    "REMOVE_EXHIBITOR_CONTACT",
    "SET_SUPPLY_CHAIN_AREAS",
    "SET_PRODUCT_CATEGORIES",
]
STAFF_WHILE_PAID = ["RECORD_PAYMENT", "ASSIGN_BOOTH", *OWNERS_WHILE_OPEN]


def _as(ctx: Context, role: Role, *applications: str) -> Context:
    viewer = Viewer(f"{role.value.lower()}:test", role, frozenset(applications))
    return dataclasses.replace(ctx, viewer=viewer)


async def _run(ctx: Context, query: str, **variables: Any) -> dict[str, Any]:
    ctx.fresh_loaders()  # a request's own, as the API makes a context per request
    result = await schema.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    return result.data  # type: ignore[return-value]


async def _plan(ctx: Context) -> dict[str, Any]:
    plan = (await _run(ctx, PLAN, edition=EDITION))["floorPlan"]
    booths = {
        edge["node"]["code"]: edge["node"]
        for hall in plan["halls"]
        for edge in hall["booths"]["edges"]
    }
    return {
        "halls": [h["code"] for h in plan["halls"]],
        "booths": booths,
        "waitlist": plan["waitlist"],
    }


async def _booths(api: httpx.AsyncClient, hall: str, *booths: tuple[str, int]) -> None:
    for code, size in booths:
        body = {"boothCode": code, "sizeSqm": size, "supplyChainArea": "CLEAN_ENERGY"}
        await ok(await api.post(f"/editions/{EDITION}/halls/{hall}/booths", json=body), 201)


async def _waitlisted(api: httpx.AsyncClient, name: str, previous: int, size: int) -> str:
    app = await submitted(api, name, previousEditions=previous, boothSizeSqm=size)
    await ok(await api.post(f"/applications/{app}/review", json={}))
    await ok(await api.post(f"/applications/{app}/waitlist", json={}))
    return app


@pytest.fixture
def staff(gateway: Context) -> Context:  # noqa: F811 (the fixture imported above)
    gateway.services.clock = FixedClock(STORY_TIME)  # the exhibitors service's time
    return gateway


async def test_a_free_booth_clicked_is_assigned_and_freed_it_goes_to_the_waitlists_first(
    staff: Context, exhibitors_api: httpx.AsyncClient, store_pool
):
    projection = ByHand(store_pool, staff.pool, set())
    await _booths(exhibitors_api, "N1", ("N1-2", 9), ("N1-1", 18))
    await _booths(exhibitors_api, "S1", ("S1-1", 36))
    paid = await contracted(exhibitors_api, "Harbor Solar", paid=CONTRACT // 2)
    late = await _waitlisted(exhibitors_api, "Late Wind", 0, 9)
    veteran = await _waitlisted(exhibitors_api, "Veteran Grid", 2, 9)
    large = await _waitlisted(exhibitors_api, "Large Hydrogen", 0, 36)
    later = await _waitlisted(exhibitors_api, "Later Wind", 0, 9)
    await projection.project()

    plan = await _plan(staff)
    assert plan["halls"] == ["N1", "S1"]
    assert list(plan["booths"]) == ["N1-1", "N1-2", "S1-1"]  # code order, hall by hall
    assert {b["state"] for b in plan["booths"].values()} == {"FREE"}
    assert plan["booths"]["S1-1"]["sizeSqm"] == 36
    order = [e["node"]["exhibitor"]["companyName"] for e in plan["waitlist"]["edges"]]
    assert order == ["Veteran Grid", "Large Hydrogen", "Late Wind", "Later Wind"]
    assert [e["node"]["position"] for e in plan["waitlist"]["edges"]] == [1, 2, 3, 4]

    app = global_id("Exhibitor", paid)
    shown = (await _run(staff, ACTIONS, id=app))["exhibitor"]
    assert shown == {"status": "CONTRACTED", "allowedActions": STAFF_WHILE_PAID}
    assigned = await _assign_meanwhile(staff, projection, app, "N1-1")
    assert assigned["exhibitor"]["booth"] == {"code": "N1-1"}
    assert "ASSIGN_BOOTH" not in assigned["exhibitor"]["allowedActions"]
    taken = (await _plan(staff))["booths"]["N1-1"]
    assert (taken["state"], taken["holder"]["companyName"]) == ("TAKEN", "Harbor Solar")

    await ok(await exhibitors_api.post(f"/applications/{paid}/withdraw", json={"reason": "no"}))
    await projection.project()
    plan = await _plan(staff)
    offered = plan["booths"]["N1-1"]
    assert (offered["state"], offered["holder"]["id"]) == (
        "OFFERED",
        global_id("Exhibitor", veteran),
    )
    rest = [
        (e["node"]["position"], e["node"]["exhibitor"]["id"]) for e in plan["waitlist"]["edges"]
    ]
    assert rest == [(n, global_id("Exhibitor", a)) for n, a in enumerate((large, late, later), 1)]


async def _assign_meanwhile(
    ctx: Context, projection: ByHand, app: str, code: str
) -> dict[str, Any]:
    """assignBooth as the console sends it, answered once the read model shows it (the
    projection runs by hand meanwhile)."""
    sent = asyncio.create_task(_run(ctx, ASSIGN, app=app, hall="N1", code=code))
    while not sent.done():
        await projection.project()
        await asyncio.wait({sent}, timeout=0.2)
    payload = sent.result()["assignBooth"]
    assert payload["userErrors"] == []
    return payload  # type: ignore[no-any-return]


async def test_an_exhibitor_sees_only_its_own_holder_and_waitlist_entry_a_viewer_no_names(
    staff: Context, exhibitors_api: httpx.AsyncClient, store_pool
):
    projection = ByHand(store_pool, staff.pool, set())
    await _booths(exhibitors_api, "N1", ("N1-1", 18), ("N1-2", 18))
    mine = await contracted(exhibitors_api, "Mine Co", paid=CONTRACT // 2)
    theirs = await contracted(exhibitors_api, "Theirs Co", paid=CONTRACT // 2)
    waiting = await _waitlisted(exhibitors_api, "Waiting Co", 1, 18)
    for app, code in ((mine, "N1-1"), (theirs, "N1-2")):
        body = {"hall": "N1", "boothCode": code}
        await ok(await exhibitors_api.post(f"/applications/{app}/booth", json=body))
    await projection.project()

    own = await _plan(_as(staff, Role.EXHIBITOR, mine))
    assert own["booths"]["N1-1"]["holder"]["companyName"] == "Mine Co"
    assert (own["booths"]["N1-2"]["state"], own["booths"]["N1-2"]["holder"]) == ("TAKEN", None)
    assert own["waitlist"] == {"totalCount": 0, "edges": []}
    as_waiting = await _plan(_as(staff, Role.EXHIBITOR, waiting))
    assert [e["node"]["position"] for e in as_waiting["waitlist"]["edges"]] == [1]

    seen = await _plan(_as(staff, Role.VIEWER))
    assert seen["booths"]["N1-2"]["holder"]["companyName"] == "Theirs Co"
    [entry] = [e["node"]["exhibitor"] for e in seen["waitlist"]["edges"]]
    assert entry["contacts"] and all(c["name"] is None for c in entry["contacts"])
    staffs = await _plan(staff)
    assert all(
        c["name"] for e in staffs["waitlist"]["edges"] for c in e["node"]["exhibitor"]["contacts"]
    )

    actions = {
        role: (await _run(_as(staff, role, mine), ACTIONS, id=global_id("Exhibitor", mine)))
        for role in (Role.EXHIBITOR, Role.VIEWER, Role.ADMIN)
    }
    assert actions[Role.EXHIBITOR]["exhibitor"]["allowedActions"] == OWNERS_WHILE_OPEN
    assert actions[Role.VIEWER]["exhibitor"]["allowedActions"] == []
    assert actions[Role.ADMIN]["exhibitor"]["allowedActions"][-1] == "FORGET_EXHIBITOR_CONTACT"


async def test_a_floor_plan_asking_too_much_is_refused_before_it_runs(staff: Context):
    result = await schema.execute(COSTLY, context_value=staff)
    assert result.errors and result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"


CHANGED = """subscription($kinds: [String!]) { recordChanged(kinds: $kinds) {
  id ... on FollowUp { owner status } } }"""


async def _listening(ctx: Context, **variables: Any) -> "asyncio.Task[Any]":
    """A recordChanged subscription's first push, once it is listening."""
    news, before = ctx.services.news, len(ctx.services.news.subscribers)
    stream = await schema.subscribe(CHANGED, variable_values=variables, context_value=ctx)
    first = asyncio.create_task(anext(stream))  # type: ignore[arg-type]

    async def listening() -> bool:
        return len(news.subscribers) > before

    await eventually(listening, within=10, what="the subscription listening")
    return first


async def test_record_changed_keeps_a_list_page_live_with_the_policy_applied(staff: Context):
    follow_up = uuid.uuid4()
    as_staff = await _listening(staff, kinds=["FollowUp"])
    as_viewer = await _listening(_as(staff, Role.VIEWER), kinds=["FollowUp"])
    async with staff.pool.acquire() as conn, conn.transaction():
        await Projector().batch(conn, [_follow_up(follow_up, "2025-12-05T09:00:00+00:00")])

    pushed = {"id": global_id("FollowUp", follow_up), "status": "SCHEDULED"}
    staffs, viewers = await asyncio.wait_for(asyncio.gather(as_staff, as_viewer), 10)
    assert staffs.errors is None and staffs.data["recordChanged"] == {**pushed, "owner": "Li Wei"}
    assert viewers.errors is None and viewers.data["recordChanged"] == {**pushed, "owner": None}
    refused = await anext(
        await schema.subscribe(CHANGED, variable_values={"kinds": ["Booth"]}, context_value=staff)
    )
    assert refused.errors[0].extensions["code"] == "VALIDATION"


async def test_record_changed_refuses_a_flood_of_kinds_without_echoing_it(staff: Context):
    for kinds in (["FollowUp"] * 1000, [f"{'x' * 5000}{n}" for n in range(20)]):
        answer = await anext(
            await schema.subscribe(CHANGED, variable_values={"kinds": kinds}, context_value=staff)
        )
        assert answer.errors[0].extensions["code"] == "VALIDATION"
        assert len(answer.errors[0].message) < 300


FOLLOW_UPS = """{ followUps(filter: {status: [SCHEDULED]}, first: 10) {
  edges { node { id overdue } } } }"""


def _follow_up(
    follow_up: uuid.UUID, due: str, event_type: str = "FollowUpScheduled", version: int = 1
) -> Any:
    """An event of a follow-up owned by Li Wei."""
    return cloud_event(
        "outreach",
        event_type,
        str(follow_up),
        version=version,
        followUpId=str(follow_up),
        subjectId=str(uuid.uuid4()),
        owner="Li Wei",
        dueAt=due,
        note=None,
    )


async def test_follow_ups_come_overdue_first(staff: Context):
    later, overdue = uuid.uuid4(), uuid.uuid4()
    past = "2025-11-20T09:00:00+00:00"
    events = [
        _follow_up(later, "2026-01-05T09:00:00+00:00"),
        _follow_up(overdue, past),
        _follow_up(overdue, past, "FollowUpBecameOverdue", version=2),
    ]
    async with staff.pool.acquire() as conn, conn.transaction():
        await Projector(announce=False).batch(conn, events)

    shown = [e["node"] for e in (await _run(staff, FOLLOW_UPS))["followUps"]["edges"]]
    assert shown == [
        {"id": global_id("FollowUp", overdue), "overdue": True},
        {"id": global_id("FollowUp", later), "overdue": False},
    ]


[MIGRATION] = [text for _, name, text in READ_MODEL.scripts() if name == "013_console.sql"]
FILLED = """SELECT (SELECT array_agg(ROW(edition, application_id, previous_editions,
                                     booth_size_sqm, arrival) ORDER BY application_id)
                   FROM waitlist)::text AS waitlist,
                  (SELECT array_agg(ROW(id, contract_due_on) ORDER BY id)
                   FROM exhibitors)::text AS due"""


async def test_the_migration_fills_what_the_projection_would_from_the_timeline(
    staff: Context, exhibitors_api: httpx.AsyncClient, store_pool
):
    await contracted(exhibitors_api, "Due Co")
    for n, previous in enumerate((0, 1, 2)):
        await _waitlisted(exhibitors_api, f"Queued {n}", previous, 18)
    approved = await _waitlisted(exhibitors_api, "Approved Co", 3, 18)
    await ok(await exhibitors_api.post(f"/applications/{approved}/approve", json={}))
    await ByHand(store_pool, staff.pool, set()).project()
    projected = await staff.pool.fetchrow(FILLED)
    assert await staff.pool.fetchval("SELECT count(*) FROM waitlist") == 3  # approved: off it
    assert projected["due"].count("2026-03-31") == 1

    fills = [s for s in MIGRATION.split(";") if "UPDATE" in s or "INSERT" in s]
    async with staff.pool.acquire() as conn, conn.transaction():
        await conn.execute("DELETE FROM waitlist; UPDATE exhibitors SET contract_due_on = NULL")
        for statement in fills:
            await conn.execute(statement)
    assert await staff.pool.fetchrow(FILLED) == projected


CONSOLE_PAGE = """query($e: String!) {
  editionDashboard(edition: $e) { boothsFree boothsTaken }
  floorPlan(edition: $e) {
    halls { code booths(first: 100) { totalCount pageInfo { hasNextPage } edges { node {
      code sizeSqm supplyChainArea state holder { id companyName status } } } } }
    waitlist(first: 100) { totalCount edges { node { position exhibitor { status } } } } } }"""


async def test_the_demos_floor_plan_in_one_request_agrees_with_the_dashboard(
    staff: Context, exhibitors_history: httpx.AsyncClient, store_pool
):
    await load(exhibitors_history)
    await ByHand(store_pool, staff.pool, set()).project()

    page = await _run(staff, CONSOLE_PAGE, e=EDITION)
    halls = page["floorPlan"]["halls"]
    assert [h["code"] for h in halls] == list(HALLS)
    assert not any(h["booths"]["pageInfo"]["hasNextPage"] for h in halls)
    booths = [e["node"] for h in halls for e in h["booths"]["edges"]]
    assert len(booths) == sum(len(areas) for areas in HALLS.values()) * BOOTHS_PER_AREA
    states = Counter(b["state"] for b in booths)
    dashboard = page["editionDashboard"]
    assert states["TAKEN"] == dashboard["boothsTaken"] > 0
    assert states["FREE"] + states["OFFERED"] == dashboard["boothsFree"]
    assert {b["holder"]["status"] for b in booths if b["state"] == "TAKEN"} <= {
        "CONTRACTED",
        "CONFIRMED",
    }
    waitlist = page["floorPlan"]["waitlist"]
    assert waitlist["totalCount"] > 0
    assert {e["node"]["exhibitor"]["status"] for e in waitlist["edges"]} == {"WAITLISTED"}
