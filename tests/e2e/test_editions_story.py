"""`make run` on the real clock, as issue 20's first "done when" says: the 4th edition is
history — its dashboard as of its opening day shows exactly what the demo's history
holds (exhibitors.demo.story().counts(), the same seed and size make run loads) — and
the 5th edition is open, a re-booking campaign under way; an application to the 5th
goes through its whole lifecycle through the GraphQL API."""

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from exhibitors.demo import story

from tests.e2e.make_run import MakeRun
from tests.e2e.test_console import graphql

pytestmark = pytest.mark.timeout(600)
OPENING = "2026-06-22T09:00:00+08:00"
EDITIONS = "{ editions { code name acceptingApplications opensAt } }"
AS_OF = """query($at: DateTime) { editionDashboard(edition: "CISCE-2026", asOf: $at) {
  exhibitorsByStatus { key count } exhibitorsByCountry { key count }
  exhibitorsBySupplyChainArea { key count } boothsTaken boothsFree foreignShare } }"""
FIFTH = """{ editionDashboard(edition: "CISCE-2027") { totalExhibitors boothsTaken
  rebooking { offered accepted declined expired pending rate } } }"""
EXHIBITOR = "query($id: ID!) { exhibitor(id: $id) { status booth { hall code } } }"
PLAN = """{ floorPlan(edition: "CISCE-2027") { halls { code
  booths(first: 100) { edges { node { code state supplyChainArea } } } } } }"""


def _as_dict(counts: list[dict[str, Any]]) -> dict[str, int]:
    return {c["key"]: c["count"] for c in counts}


async def test_the_4th_edition_is_history_and_its_opening_day_shows_the_demos_numbers(
    made_run: MakeRun,
) -> None:
    editions = {e["code"]: e for e in (await graphql(made_run, EDITIONS))["editions"]}
    assert editions["CISCE-2026"]["acceptingApplications"] is False  # over, by the real clock
    assert editions["CISCE-2027"]["acceptingApplications"] is True

    counts = story().counts()
    shown = (await graphql(made_run, AS_OF, at=OPENING))["editionDashboard"]
    assert _as_dict(shown["exhibitorsByStatus"]) == counts["byStatus"]
    assert _as_dict(shown["exhibitorsByCountry"]) == counts["byCountry"]
    assert _as_dict(shown["exhibitorsBySupplyChainArea"]) == counts["byArea"]
    assert (shown["boothsTaken"], shown["boothsFree"]) == (
        counts["boothsTaken"],
        counts["boothsFree"],
    )
    assert shown["foreignShare"] == counts["foreignShare"]
    # a year before, nothing had happened yet
    before = (await graphql(made_run, AS_OF, at="2025-06-22T09:00:00+08:00"))["editionDashboard"]
    assert before["exhibitorsByStatus"] == [] and before["boothsTaken"] == 0

    fifth = (await graphql(made_run, FIFTH))["editionDashboard"]
    confirmed = counts["byStatus"]["CONFIRMED"]
    assert fifth["rebooking"]["offered"] == confirmed
    assert fifth["rebooking"]["accepted"] > 0 and fifth["rebooking"]["pending"] > 0
    assert fifth["rebooking"]["rate"] == round(fifth["rebooking"]["accepted"] / confirmed, 4)


async def _step(run: MakeRun, mutation: str, application: str, extra: str = "") -> None:
    done = await graphql(
        run,
        f"""mutation($id: ID!) {{ {mutation}(input: {{ applicationId: $id{extra}, wait: true }})
          {{ userErrors {{ field code message }} }} }}""",
        id=application,
    )
    assert done[mutation]["userErrors"] == [], (mutation, done)


async def test_an_application_to_the_5th_edition_goes_through_its_whole_lifecycle(
    made_run: MakeRun,
) -> None:
    name = f"Lifecycle Works {uuid.uuid4().hex[:6]}"
    submitted = await graphql(
        made_run,
        """mutation($n: String!) { submitExhibitorApplication(input: { wait: true,
          edition: "CISCE-2027", companyName: $n, country: "CA",
          supplyChainAreas: [CLEAN_ENERGY], boothSizeSqm: 18 }) {
          userErrors { code message } exhibitor { id status } } }""",
        n=name,
    )
    payload = submitted["submitExhibitorApplication"]
    assert payload["userErrors"] == [] and payload["exhibitor"]["status"] == "SUBMITTED", payload
    app = payload["exhibitor"]["id"]
    halls = (await graphql(made_run, PLAN))["floorPlan"]["halls"]
    hall, booth = next(
        (h["code"], e["node"]["code"])
        for h in halls
        for e in h["booths"]["edges"]
        if e["node"]["state"] == "FREE" and e["node"]["supplyChainArea"] == "CLEAN_ENERGY"
    )
    due = (date.today() + timedelta(days=30)).isoformat()
    money = 'currency: "CNY"'

    await _step(made_run, "startReview", app)
    await _step(made_run, "approveApplication", app)
    await _step(made_run, "issueContract", app, f', amount: "45000.00", {money}, dueDate: "{due}"')
    await _step(made_run, "signContract", app)
    await _step(made_run, "recordPayment", app, f', amount: "22500.00", {money}, reference: "d"')
    await _step(made_run, "assignBooth", app, f', hall: "{hall}", boothCode: "{booth}"')
    await _step(made_run, "recordPayment", app, f', amount: "22500.00", {money}, reference: "r"')
    await _step(made_run, "confirmParticipation", app)

    shown = (await graphql(made_run, EXHIBITOR, id=app))["exhibitor"]
    assert shown["status"] == "CONFIRMED" and shown["booth"] == {"hall": hall, "code": booth}
