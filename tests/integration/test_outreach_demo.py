"""The demo scenario loads through the outreach API, is what DOMAIN.md describes, and
loading it again changes nothing."""

import asyncpg
import httpx
from outreach.demo import load


async def test_the_demo_scenario_loads_once(
    outreach_api: httpx.AsyncClient, outreach_pool: asyncpg.Pool
):
    counts = await load(outreach_api)

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

    assert await load(outreach_api) == counts
    assert await outreach_pool.fetchval("SELECT count(*) FROM events") == total
