"""Re-booking offers: the GraphQL type, `node` of one, and the staff's list of an
edition's offers. Their rows are projected in exhibitors.projections; the mutations are
exhibitors.mutations'."""

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
import strawberry

from gateway.context import Context
from gateway.enums import RebookingStatus
from gateway.exhibitors.types import SELECT as EXHIBITOR
from gateway.exhibitors.types import Booth, Exhibitor
from gateway.policy import OnlyStaff
from gateway.relay import Connection, Keyset, Node, Query, fetch_page, global_id
from gateway.timeline import Timelined

Info = strawberry.Info[Context, None]
COLUMNS = (
    "id, edition, from_edition, previous_application_id, application_id, company_name, "
    "country, status, held_hall, held_booth_code, booth_size_sqm, deadline, offered_at, "
    "updated_at, version"
)


@strawberry.type(
    description="An exhibitor confirmed at an earlier edition, offered a place at this one "
    "until its deadline, its previous booth held when it was free."
)
class RebookingOffer(Node, Timelined):
    edition: str
    from_edition: str
    company_name: str
    country: str
    status: RebookingStatus
    held_booth: Booth | None = strawberry.field(
        description="The booth held for the offer (its previous one), null when none: it "
        "passes to the application on acceptance, else to the waitlist."
    )
    deadline: datetime
    offered_at: datetime
    updated_at: datetime
    version: int
    previous_application_id: strawberry.Private[UUID]
    application_id: strawberry.Private[UUID | None]

    @strawberry.field(description="The confirmed application of fromEdition re-booked.")
    async def previous_application(self, info: Info) -> Exhibitor | None:
        return await _exhibitor(info.context, self.previous_application_id)

    @strawberry.field(description="The application the offer became, once ACCEPTED.")
    async def application(self, info: Info) -> Exhibitor | None:
        if self.application_id is None:
            return None
        return await _exhibitor(info.context, self.application_id)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "RebookingOffer":
        held = row["held_booth_code"]
        return cls(
            id=global_id("RebookingOffer", row["id"]),
            local_id=str(row["id"]),
            edition=row["edition"],
            from_edition=row["from_edition"],
            company_name=row["company_name"],
            country=row["country"],
            status=RebookingStatus(row["status"]),
            held_booth=(
                Booth(code=held, hall=row["held_hall"], size_sqm=row["booth_size_sqm"])
                if held
                else None
            ),
            deadline=row["deadline"],
            offered_at=row["offered_at"],
            updated_at=row["updated_at"],
            version=row["version"],
            previous_application_id=row["previous_application_id"],
            application_id=row["application_id"],
        )


SELECT = f"SELECT {COLUMNS} FROM rebooking_offers WHERE {{where}}"


async def _exhibitor(ctx: Context, application_id: UUID) -> Exhibitor | None:
    """The application (the schema's policy screens it on its way out)."""
    row = await ctx.loaders.one(EXHIBITOR).load(application_id)
    return Exhibitor.from_row(row) if row else None


async def load(ctx: Context, ref: Any) -> Node | None:
    """`node(id)` of a RebookingOffer (the policy has let the viewer see it)."""
    row = await ctx.loaders.one(SELECT).load(ref.id)
    return RebookingOffer.from_row(row) if row else None


ORDER = Keyset((("company_name", "text"), ("id", "uuid")), name="COMPANY_NAME")


@strawberry.type
class RebookingQueries:
    @strawberry.field(
        permission_classes=[OnlyStaff],
        description="An edition's re-booking offers (staff only), by company name.",
    )
    async def rebooking_offers(
        self,
        info: Info,
        edition: str,
        status: list[RebookingStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[RebookingOffer]:
        query = Query(COLUMNS, "rebooking_offers").narrowed("edition = {0}", edition)
        query = query.any_of("status", status)
        return await fetch_page(
            info.context.pool, query, ORDER, RebookingOffer.from_row, first, after
        )
