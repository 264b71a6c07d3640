"""The exhibitors' demo loads the 4th edition's story as history, through the history
import: 320 applications across the seven areas and many countries, in every state an
edition's history ends in, each event with the time it happened during the recruitment
(before the opening) apart from the time it was recorded; loading it again adds
nothing; and the edition's dashboard, projected from those events, shows the numbers
the demo says it holds (exhibitors.demo.Story.counts, `--counts`)."""

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
from exhibitors import recruiting
from exhibitors.demo import AREAS, EDITION, load, main, story
from gateway.context import Context
from gateway.schema import schema

from tests.integration.test_consistency import ByHand, gateway  # noqa: F401 (a fixture)
from tests.support import RECRUITING_THE_5TH

OPENING = datetime.fromisoformat("2026-06-22T09:00:00+08:00")
RECRUITING = datetime.fromisoformat("2025-09-01T00:00:00+08:00")
DASHBOARD = """query($e: String!) { editionDashboard(edition: $e) {
  exhibitorsByStatus { key count } exhibitorsByCountry { key count }
  exhibitorsBySupplyChainArea { key count } boothsTaken boothsFree foreignShare } }"""


async def _statuses(pool: asyncpg.Pool) -> Counter[str]:
    """The last lifecycle event of each application."""
    rows = await pool.fetch(
        """SELECT DISTINCT ON (stream_id) stream_id, type FROM events
           WHERE type IN ('ApplicationSubmitted', 'ReviewStarted', 'ApplicationApproved',
                          'ApplicationRejected', 'ApplicationWaitlisted', 'ContractSigned',
                          'ParticipationConfirmed', 'ApplicationWithdrawn',
                          'ApplicationCancelled')
           ORDER BY stream_id, version DESC"""
    )
    return Counter(row["type"] for row in rows)


def _as_dict(counts: list[dict[str, Any]]) -> dict[str, int]:
    return {c["key"]: c["count"] for c in counts}


async def test_the_exhibitors_demo_loads_its_history_once_with_its_times(
    exhibitors_history: httpx.AsyncClient, store_pool: asyncpg.Pool
) -> None:
    started = datetime.now(UTC)
    told = await load(exhibitors_history)

    counts = told.counts()
    assert sum(counts["byStatus"].values()) == 320
    assert set(counts["byStatus"]) == {"SUBMITTED", "UNDER_REVIEW", "APPROVED", "REJECTED",
        "WAITLISTED", "CONTRACTED", "CONFIRMED", "WITHDRAWN", "CANCELLED"}  # fmt: skip
    last = await _statuses(store_pool)
    assert sum(last.values()) == 320
    assert last["ParticipationConfirmed"] == counts["byStatus"]["CONFIRMED"] >= 90
    assert last["ApplicationCancelled"] == counts["byStatus"]["CANCELLED"] > 0
    assert set(counts["byArea"]) == set(AREAS) and len(counts["byCountry"]) >= 25

    # the demo's own: not the seed's edition, made as the service started
    rows = await store_pool.fetch(
        "SELECT metadata, recorded_at FROM events WHERE stream_id NOT LIKE 'edition:%'"
    )
    happened = [datetime.fromisoformat(json.loads(r["metadata"])["occurred_at"]) for r in rows]
    assert all(RECRUITING <= at < OPENING for at in happened)
    assert all(r["recorded_at"] >= started for r in rows)

    assert (await load(exhibitors_history)).counts() == counts
    assert await store_pool.fetchval("SELECT count(*) FROM events") == len(rows) + 1


async def test_the_dashboard_of_the_demos_history_shows_the_demos_counts(
    gateway: Context,  # noqa: F811 (the fixture imported above)
    exhibitors_history: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
) -> None:
    told = await load(exhibitors_history, count=120)
    await ByHand(store_pool, gateway.pool, set()).project()

    result = await schema.execute(DASHBOARD, variable_values={"e": EDITION}, context_value=gateway)
    assert result.errors is None, result.errors
    shown = result.data["editionDashboard"]  # type: ignore[index]
    counts = told.counts()
    assert _as_dict(shown["exhibitorsByStatus"]) == counts["byStatus"]
    assert _as_dict(shown["exhibitorsByCountry"]) == counts["byCountry"]
    assert _as_dict(shown["exhibitorsBySupplyChainArea"]) == counts["byArea"]
    assert (shown["boothsTaken"], shown["boothsFree"]) == (
        counts["boothsTaken"],
        counts["boothsFree"],
    )
    assert shown["foreignShare"] == counts["foreignShare"]


def test_the_demo_prints_its_counts_without_loading(capsys: Any) -> None:
    assert main(["--counts", "--seed", "7", "--count", "30"]) == 0
    assert json.loads(capsys.readouterr().out) == story(7, 30).counts()
    assert story(7, 30).entries == story(7, 30).entries  # deterministic from the seed


async def test_the_5th_edition_recruits_now_after_the_4ths_history(
    exhibitors_recruiting: httpx.AsyncClient, store_pool: asyncpg.Pool
) -> None:
    """exhibitors.recruiting: the 5th edition made, its floor copied, every confirmed
    exhibitor of the 4th offered a place again (some accepted, some declined — their
    booths offered to the waitlist's head), new companies applying; a second load adds
    nothing."""
    told = await load(exhibitors_recruiting)
    confirmed = sum(1 for status in told.status.values() if status == "CONFIRMED")

    done = await recruiting.load(exhibitors_recruiting, RECRUITING_THE_5TH.date())
    events = await store_pool.fetchval("SELECT count(*) FROM events")
    assert await recruiting.load(exhibitors_recruiting, RECRUITING_THE_5TH.date()) == done
    assert await store_pool.fetchval("SELECT count(*) FROM events") == events

    kinds = Counter(
        r["type"]
        for r in await store_pool.fetch(
            """SELECT type FROM events
               WHERE stream_id = 'edition:CISCE-2027' OR type LIKE 'Rebooking%'"""
        )
    )
    accepted = done["offer accepted"] + done["offer confirmed"]
    assert kinds["EditionCreated"] == kinds["EditionFloorPlanCopied"] == 1
    assert (
        kinds["RebookingOffered"]
        == confirmed
        == sum(n for what, n in done.items() if what.startswith("offer "))
    )
    assert (
        (kinds["RebookingAccepted"], kinds["RebookingDeclined"])
        == (
            accepted,
            done["offer declined"],
        )
        and accepted > 0
        and done["offer pending"] > 0
    )
    fifth = await store_pool.fetch(
        """SELECT stream_id FROM events
           WHERE type = 'ApplicationSubmitted' AND data->>'edition' = 'CISCE-2027'"""
    )
    assert len(fifth) == 80 + accepted
    # a declined offer's booth went to the head of the new edition's waitlist
    offered = await store_pool.fetch(
        """SELECT data FROM events WHERE type = 'BoothOffered'
           AND stream_id LIKE 'floorplan:CISCE-2027:%'"""
    )
    waitlisted = {r["stream_id"] for r in fifth} & {
        json.loads(r["data"])["applicationId"] for r in offered
    }
    assert waitlisted and done["waitlisted"] > 0
