"""The exhibitors' demo scenario loads through the exhibitors API: 300+ applications
across the seven areas and many countries, in every state the story's date allows,
booths in several halls; loading it again changes nothing."""

import json

import asyncpg
import httpx
from exhibitors.demo import AREAS, load


async def _statuses(pool: asyncpg.Pool) -> dict[str, int]:
    """The state of each application, folded from its events."""
    rows = await pool.fetch(
        """SELECT DISTINCT ON (stream_id) stream_id, type FROM events
           WHERE type IN ('ApplicationSubmitted', 'ReviewStarted', 'ApplicationApproved',
                          'ApplicationRejected', 'ApplicationWaitlisted', 'ContractSigned',
                          'ParticipationConfirmed', 'ApplicationWithdrawn')
           ORDER BY stream_id, version DESC"""
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["type"]] = counts.get(row["type"], 0) + 1
    return counts


async def test_the_exhibitors_demo_loads_once(exhibitors_api: httpx.AsyncClient, store_pool):
    states = await load(exhibitors_api)

    assert sum(states.values()) == 320
    assert set(states) == {
        "SUBMITTED",
        "UNDER_REVIEW",
        "APPROVED",
        "REJECTED",
        "WAITLISTED",
        "CONTRACTED",
        "CONFIRMED",
        "WITHDRAWN",
    }
    last = await _statuses(store_pool)
    assert sum(last.values()) == 320
    assert last["ParticipationConfirmed"] >= 90 and last["ApplicationWithdrawn"] >= 10
    submitted = [
        json.loads(r["data"])
        for r in await store_pool.fetch(
            "SELECT data FROM events WHERE type = 'ApplicationSubmitted'"
        )
    ]
    assert {a for s in submitted for a in s["supplyChainAreas"]} == set(AREAS)
    assert len({s["country"] for s in submitted}) >= 25
    halls = await store_pool.fetch(
        "SELECT DISTINCT data->>'hall' AS hall FROM events WHERE type = 'BoothAllocated'"
    )
    assert len(halls) >= 4
    total = await store_pool.fetchval("SELECT count(*) FROM events")

    assert await load(exhibitors_api) == states
    assert await store_pool.fetchval("SELECT count(*) FROM events") == total
