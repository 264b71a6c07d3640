"""The demo scenario loads through the outreach API, is what DOMAIN.md describes with
its dates around the day it is loaded (the anchor), and loading it again changes nothing
(with another anchor it is refused, never loaded twice)."""

import json
from datetime import date, datetime, timedelta

import asyncpg
import httpx
import pytest
from outreach.demo import EDITION, load
from pavilion_core.seeding import SeedingFailed

from tests.support import STORY_TIME

ANCHOR = STORY_TIME.date()  # the outreach API's clock stands there


async def _data(pool: asyncpg.Pool, event_type: str) -> list[dict[str, object]]:
    rows = await pool.fetch("SELECT data FROM events WHERE type = $1", event_type)
    return [json.loads(r["data"]) for r in rows]


async def test_the_demo_scenario_loads_once(
    outreach_api: httpx.AsyncClient, outreach_pool: asyncpg.Pool
):
    counts = await load(outreach_api, anchor=ANCHOR)

    assert counts["contacts"] >= 150 and counts["organizations"] >= 40
    assert counts["events"] == 3
    assert counts["invited"] >= 150 and 0 < counts["attended"] < counts["accepted"]
    assert counts["interests"] >= 30 and counts["converted"] >= 5
    kinds = await outreach_pool.fetch(
        "SELECT DISTINCT data->>'kind' AS kind FROM events WHERE type = 'OrganizationRegistered'"
    )
    assert {r["kind"] for r in kinds} == {
        "GOVERNMENT",
        "CHAMBER",
        "ASSOCIATION",
        "INSTITUTION",
        "COMPANY",
    }
    countries = await outreach_pool.fetch(
        "SELECT DISTINCT data->>'country' AS c FROM events WHERE type = 'ContactRegistered'"
    )
    assert {r["c"] for r in countries} == {"CA", "US"}
    total = await outreach_pool.fetchval("SELECT count(*) FROM events")

    assert await load(outreach_api, anchor=ANCHOR) == counts
    assert await outreach_pool.fetchval("SELECT count(*) FROM events") == total
    with pytest.raises(SeedingFailed, match="already used for a different request"):
        await load(outreach_api, anchor=ANCHOR + timedelta(days=1))  # a later day's anchor
    assert await outreach_pool.fetchval("SELECT count(*) FROM events") == total


async def test_the_demo_trip_is_around_its_anchor_and_recruits_for_the_5th_expo(
    outreach_api: httpx.AsyncClient, outreach_pool: asyncpg.Pool
):
    await load(outreach_api, anchor=ANCHOR)

    [trip] = await _data(outreach_pool, "TripPlanned")
    days = [(date.fromisoformat(s["startsOn"]), date.fromisoformat(s["endsOn"]))  # type: ignore[index]
            for s in trip["stops"]]  # type: ignore[union-attr]  # fmt: skip
    assert [(a - ANCHOR).days for a, _ in days] == [-2, 2, 3] and days[0][1] == ANCHOR
    starts = sorted(
        datetime.fromisoformat(str(e["startsAt"]))
        for e in await _data(outreach_pool, "OutreachEventScheduled")
    )
    assert starts[0] < STORY_TIME < starts[1]  # Toronto's forum held, the others to come
    assert len(await _data(outreach_pool, "OutreachEventHeld")) == 1
    assert {i["edition"] for i in await _data(outreach_pool, "InterestCaptured")} == {EDITION}
    dues = [
        datetime.fromisoformat(str(f["dueAt"]))
        for f in await _data(outreach_pool, "FollowUpScheduled")
    ]
    assert min(dues) < STORY_TIME < max(dues)  # some overdue already
