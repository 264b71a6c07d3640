"""Queries of the exhibitors feature."""

from uuid import UUID

import strawberry

from gateway.context import Context
from gateway.exhibitors.types import Exhibitor
from gateway.relay import BadInput, Connection, Page, decode_cursor, page_size, parse_global_id

_COLUMNS = (
    "id, edition, company_name, country, status, supply_chain_areas, "
    "product_categories, contacts, booth_code, booth_hall, booth_size_sqm, version"
)


async def exhibitors_page(
    ctx: Context, edition: str, first: int | None, after: str | None
) -> Connection[Exhibitor]:
    size = page_size(first)
    after_name, after_id = "", UUID(int=0)
    if after is not None:
        key = decode_cursor(after)
        try:
            after_name, after_id = str(key[0]), UUID(str(key[1]))
        except (IndexError, ValueError):
            raise BadInput("the cursor is not valid", "after") from None
    async with ctx.pool.acquire() as conn:
        rows = await conn.fetch(
            f"""SELECT {_COLUMNS} FROM exhibitors
                WHERE edition = $1 AND (company_name, id) > ($2, $3)
                ORDER BY company_name, id LIMIT $4""",
            edition,
            after_name,
            after_id,
            size + 1,
        )
        total = await conn.fetchval("SELECT count(*) FROM exhibitors WHERE edition = $1", edition)
    return Page(
        nodes=[Exhibitor.from_row(r) for r in rows],
        keys=[[r["company_name"], str(r["id"])] for r in rows],
        size=size,
        total=total,
    ).connection()


async def exhibitor_by_id(ctx: Context, local_id: str) -> Exhibitor | None:
    try:
        key = UUID(local_id)
    except ValueError:
        return None
    row = await ctx.pool.fetchrow(f"SELECT {_COLUMNS} FROM exhibitors WHERE id = $1", key)
    return Exhibitor.from_row(row) if row else None


@strawberry.type
class ExhibitorQueries:
    @strawberry.field(description="An edition's exhibitors, by company name.")
    async def exhibitors(
        self,
        info: strawberry.Info[Context, None],
        edition: str,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Exhibitor]:
        return await exhibitors_page(info.context, edition, first, after)

    @strawberry.field
    async def exhibitor(
        self, info: strawberry.Info[Context, None], id: strawberry.ID
    ) -> Exhibitor | None:
        type_name, local_id = parse_global_id(id)
        return await exhibitor_by_id(info.context, local_id) if type_name == "Exhibitor" else None
