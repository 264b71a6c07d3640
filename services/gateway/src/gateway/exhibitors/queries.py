"""Queries of the exhibitors feature."""

from enum import Enum
from uuid import UUID

import strawberry

from gateway.asof import AS_OF, answering
from gateway.auth import Role, Viewer
from gateway.context import Context
from gateway.enums import ApplicationStatus, SupplyChainArea
from gateway.exhibitors.types import COLUMNS, Exhibitor
from gateway.nodes import load_node
from gateway.policy import authorize, decode
from gateway.relay import Connection, Keyset, Query, fetch_page

ORDERS = {
    name: Keyset(columns, descending=name == "UPDATED_AT", name=name)
    for name, columns in {
        "COMPANY_NAME": (("company_name", "text"), ("id", "uuid")),
        "SUBMITTED_AT": (("submitted_at", "timestamptz"), ("id", "uuid")),
        "UPDATED_AT": (("updated_at", "timestamptz"), ("id", "uuid")),
    }.items()
}


@strawberry.enum
class ExhibitorOrder(Enum):
    COMPANY_NAME = "COMPANY_NAME"
    SUBMITTED_AT = "SUBMITTED_AT"
    UPDATED_AT = "UPDATED_AT"


@strawberry.input
class ExhibitorFilter:
    status: list[ApplicationStatus] | None = None
    supply_chain_area: list[SupplyChainArea] | None = None
    country: list[str] | None = None
    hall: str | None = None
    search: str | None = strawberry.field(
        default=None, description="Part of the company name, any case."
    )


def narrowed(query: Query, f: ExhibitorFilter) -> Query:
    query = query.any_of("status", f.status).matching("company_name", f.search)
    query = query.any_of("country", [c.upper() for c in f.country or []])
    if f.supply_chain_area:
        query = query.narrowed(
            "supply_chain_areas && {0}::text[]", [a.value for a in f.supply_chain_area]
        )
    if f.hall:
        query = query.narrowed("booth_hall = {0}", f.hall)
    return query


def page_query(viewer: Viewer, edition: str, filter: ExhibitorFilter | None) -> Query:
    """The exhibitors of `edition` that `filter` lets through and `viewer` may list (an
    EXHIBITOR: its own applications only)."""
    query = narrowed(
        Query(COLUMNS, "exhibitors").narrowed("edition = {0}", edition),
        filter or ExhibitorFilter(),
    )
    if viewer.role is Role.EXHIBITOR:
        mine = [UUID(a) for a in viewer.applications if _is_uuid(a)]
        query = query.narrowed("id = ANY({0}::uuid[])", mine)
    return query


@strawberry.type
class ExhibitorQueries:
    @strawberry.field(description="An edition's exhibitors, filtered and ordered.")
    async def exhibitors(
        self,
        info: strawberry.Info[Context, None],
        edition: str,
        filter: ExhibitorFilter | None = None,
        order_by: ExhibitorOrder = ExhibitorOrder.COMPANY_NAME,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Exhibitor]:
        ctx = info.context
        return await fetch_page(
            ctx.pool,
            page_query(ctx.viewer, edition, filter),
            ORDERS[order_by.value],
            Exhibitor.from_row,
            first,
            after,
        )

    @strawberry.field
    async def exhibitor(
        self, info: strawberry.Info[Context, None], id: strawberry.ID, as_of: AS_OF = None
    ) -> Exhibitor | None:
        ref = decode(id, "Exhibitor")
        authorize(info.context.viewer, ref)  # before any moment is replayed
        return await load_node(await answering(info, as_of), ref)  # type: ignore[return-value]


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
