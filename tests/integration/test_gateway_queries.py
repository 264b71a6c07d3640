"""The query layer against the real read model: a page of exhibitors with contacts, booth
and source interest costs the same number of SQL statements whatever its size (no N+1),
and the exported SDL is the code's."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from gateway.auth import Role, Viewer
from gateway.cli import SDL, sdl
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.schema import schema

PAGE = """query($first: Int!) {
  exhibitors(edition: "CISCE-2026", first: $first) {
    totalCount
    edges { node { companyName contacts { name email } booth { code hall sizeSqm }
                   sourceInterest { stage contact { name email organization { name } } } } }
  }
}"""


async def _fill(pool: asyncpg.Pool, n: int) -> None:
    now = datetime(2025, 12, 1, tzinfo=UTC)
    org = uuid.uuid4()
    await pool.execute(
        """INSERT INTO organizations (id, name, kind, country, version, updated_at)
           VALUES ($1, 'Port of Oakland', 'COMPANY', 'US', 1, $2)""",
        org,
        now,
    )
    for i in range(n):
        contact, interest, app = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await pool.execute(
            """INSERT INTO contacts (id, name, email, country, language, organization_id,
                                     version, updated_at)
               VALUES ($1, $2, $3, 'US', 'en', $4, 1, $5)""",
            contact,
            f"Contact {i}",
            f"c{i}@example.com",
            org,
            now,
        )
        await pool.execute(
            """INSERT INTO interests (id, contact_id, kind, edition, supply_chain_areas,
                   product_categories, stage, version, captured_at, updated_at)
               VALUES ($1, $2, 'EXHIBIT', 'CISCE-2026', '{}', '{}', 'CONVERTED', 3, $3, $3)""",
            interest,
            contact,
            now + timedelta(seconds=i),
        )
        await pool.execute(
            """INSERT INTO exhibitors (id, edition, company_name, country, status,
                   supply_chain_areas, product_categories, contacts, source_interest_id,
                   booth_hall, booth_code, booth_size_sqm, version, submitted_at, updated_at,
                   address)
               VALUES ($1, 'CISCE-2026', $2, 'US', 'CONFIRMED', '{CLEAN_ENERGY}', '{}', $3::jsonb,
                       $4, 'N1', $5, 18, 9, $6, $6, '{"streetLines": [], "city": null,
                       "postalCode": null, "region": null, "country": "US"}')""",
            app,
            f"Company {i:03}",
            json.dumps([{"name": "A", "email": f"a{i}@x.example"}]),
            interest,
            f"N1-{i:03}",
            now,
        )


async def _page(pool: asyncpg.Pool, statements: list[str], first: int) -> tuple[int, Any]:
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    context = Context(services=services, viewer=Viewer("staff:test", Role.ADMIN))
    statements.clear()
    result = await schema.execute(PAGE, variable_values={"first": first}, context_value=context)
    assert result.errors is None, result.errors
    return len(statements), result.data


async def test_a_page_costs_the_same_statements_whatever_its_size(counted):
    pool, statements = counted
    await _fill(pool, 60)
    await _page(pool, statements, 50)  # connections made and their types introspected
    small, data = await _page(pool, statements, 5)
    assert len(data["exhibitors"]["edges"]) == 5
    large, data = await _page(pool, statements, 50)
    edges = data["exhibitors"]["edges"]
    assert len(edges) == 50 and data["exhibitors"]["totalCount"] == 60
    assert all(
        e["node"]["sourceInterest"]["contact"]["organization"]["name"] == "Port of Oakland"
        for e in edges
    )
    assert all(e["node"]["booth"]["hall"] == "N1" for e in edges)
    assert large == small, statements
    # page + count, one statement per relation level (interests, contacts, organizations),
    # and per acquired connection the search_path set and the pool's reset on release
    data_statements = [s for s in statements if "search_path" not in s and "RESET ALL" not in s]
    assert len(data_statements) == 5, data_statements


def test_the_exported_sdl_is_the_codes():
    assert (Path(__file__).parents[2] / SDL).read_text() == sdl(), (
        "schemas/graphql/schema.graphql is stale: run `python -m gateway.cli sdl`"
    )
