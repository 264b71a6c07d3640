"""Interests (leads) and their follow-ups."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Optional
from uuid import UUID

import asyncpg
import strawberry

from gateway.enums import (
    ConversionRefusalCode,
    FollowUpStatus,
    InterestKind,
    InterestStage,
    SupplyChainArea,
)
from gateway.outreach.columns import EVENT, EVENTS, FOLLOW_UP, INTEREST, Info, select
from gateway.outreach.parties import Contact, Organization
from gateway.outreach.travel import OutreachEvent
from gateway.policy import PERSONAL
from gateway.relay import Node, global_id
from gateway.timeline import Timelined

if TYPE_CHECKING:
    from gateway.context import Context
    from gateway.exhibitors.types import Exhibitor


@strawberry.type(description="Why exhibitors refused the application a conversion asked for.")
class ConversionRefusal:
    code: ConversionRefusalCode
    reason: str | None = strawberry.field(directives=PERSONAL)


@strawberry.type
class Interest(Node, Timelined):
    kind: InterestKind
    edition: str
    supply_chain_areas: list[SupplyChainArea]
    product_categories: list[str]
    stage: InterestStage
    owner: str | None = strawberry.field(directives=PERSONAL)
    captured_at: datetime
    converted_at: datetime | None
    conversion_refusal: ConversionRefusal | None = strawberry.field(
        description="Set while the interest is QUALIFIED again because exhibitors refused "
        "the application its last conversion asked for."
    )
    version: int
    contact_id: strawberry.Private[UUID]
    organization_id: strawberry.Private[UUID | None]
    source_event_id: strawberry.Private[UUID | None]
    application_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        return await Contact.load(info.context, self.contact_id)

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        if self.organization_id is None:
            return None
        return await Organization.load(info.context, self.organization_id)

    @strawberry.field
    async def source_event(self, info: Info) -> OutreachEvent | None:
        if self.source_event_id is None:
            return None
        row = await info.context.loaders.one(select(EVENTS, EVENT)).load(self.source_event_id)
        return OutreachEvent.from_row(row) if row else None

    @strawberry.field(description="The exhibitor application it converted into.")
    async def exhibitor(
        self, info: Info
    ) -> Annotated["Exhibitor", strawberry.lazy("gateway.exhibitors.types")] | None:
        from gateway.exhibitors.types import SELECT, Exhibitor

        if self.application_id is None:
            return None
        row = await info.context.loaders.one(SELECT).load(self.application_id)
        return Exhibitor.from_row(row) if row else None

    @strawberry.field
    async def follow_ups(self, info: Info) -> list["FollowUp"]:
        rows = await info.context.loaders.many(select("follow_ups", FOLLOW_UP), "subject_id").load(
            UUID(self.local_id)
        )
        return [FollowUp.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Interest":
        return cls(
            id=global_id("Interest", row["id"]),
            local_id=str(row["id"]),
            kind=InterestKind(row["kind"]),
            edition=row["edition"],
            supply_chain_areas=[SupplyChainArea(a) for a in row["supply_chain_areas"]],
            product_categories=list(row["product_categories"]),
            stage=InterestStage(row["stage"]),
            owner=row["owner"],
            captured_at=row["captured_at"],
            converted_at=row["converted_at"],
            conversion_refusal=_refusal(row),
            version=row["version"],
            contact_id=row["contact_id"],
            organization_id=row["organization_id"],
            source_event_id=row["source_event_id"],
            application_id=row["application_id"],
        )

    @classmethod
    async def load(cls, ctx: "Context", key: UUID) -> Optional["Interest"]:
        row = await ctx.loaders.one(select("interests", INTEREST)).load(key)
        return cls.from_row(row) if row else None


def _refusal(row: asyncpg.Record) -> ConversionRefusal | None:
    if row["refusal_code"] is None:
        return None
    return ConversionRefusal(
        code=ConversionRefusalCode(row["refusal_code"]), reason=row["refusal_reason"]
    )


@strawberry.type
class FollowUp(Node, Timelined):
    owner: str | None = strawberry.field(directives=PERSONAL)
    due_at: datetime
    status: FollowUpStatus
    overdue: bool
    note: str | None = strawberry.field(directives=PERSONAL)
    outcome: str | None = strawberry.field(directives=PERSONAL)
    version: int
    subject_id: strawberry.Private[UUID]

    @strawberry.field(description="The interest, contact or organization it follows up on.")
    async def subject(self, info: Info) -> Node | None:
        ctx = info.context
        return (
            await Interest.load(ctx, self.subject_id)
            or await Contact.load(ctx, self.subject_id)
            or await Organization.load(ctx, self.subject_id)
        )

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "FollowUp":
        return cls(
            id=global_id("FollowUp", row["id"]),
            local_id=str(row["id"]),
            subject_id=row["subject_id"],
            owner=row["owner"],
            due_at=row["due_at"],
            status=FollowUpStatus(row["status"]),
            overdue=row["overdue"],
            note=row["note"],
            outcome=row["outcome"],
            version=row["version"],
        )
