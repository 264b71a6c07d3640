"""Organizations, contacts and their consents."""

from datetime import datetime
from typing import TYPE_CHECKING, Optional
from uuid import UUID

import asyncpg
import strawberry

from gateway.enums import OrganizationKind
from gateway.outreach.columns import CONSENT, CONTACT, ORGANIZATION, Info, select
from gateway.policy import PERSONAL
from gateway.relay import Node, global_id
from gateway.timeline import Timelined

if TYPE_CHECKING:
    from gateway.context import Context


@strawberry.type
class Organization(Node, Timelined):
    name: str
    kind: OrganizationKind
    country: str
    website: str | None
    merged_into_id: strawberry.ID | None
    version: int

    @strawberry.field
    async def contacts(self, info: Info) -> list["Contact"]:
        rows = await info.context.loaders.many(select("contacts", CONTACT), "organization_id").load(
            UUID(self.local_id)
        )
        return [Contact.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Organization":
        merged = row["merged_into"]
        return cls(
            id=global_id("Organization", row["id"]),
            local_id=str(row["id"]),
            name=row["name"],
            kind=OrganizationKind(row["kind"]),
            country=row["country"],
            website=row["website"],
            merged_into_id=global_id("Organization", merged) if merged else None,
            version=row["version"],
        )

    @classmethod
    async def load(cls, ctx: "Context", key: UUID) -> Optional["Organization"]:
        row = await ctx.loaders.one(select("organizations", ORGANIZATION)).load(key)
        return cls.from_row(row) if row else None


@strawberry.type
class Consent:
    channel: str
    purpose: str
    legal_basis: str | None
    granted_at: datetime | None
    expires_at: datetime | None
    withdrawn_at: datetime | None


@strawberry.type
class Contact(Node, Timelined):
    name: str | None = strawberry.field(directives=PERSONAL)
    title: str | None = strawberry.field(directives=PERSONAL)
    country: str
    language: str
    merged_into_id: strawberry.ID | None
    version: int
    email: str | None = strawberry.field(directives=PERSONAL)
    phone: str | None = strawberry.field(directives=PERSONAL)
    forgotten: bool = strawberry.field(
        description="The person was forgotten (GDPR art. 17): every personal field is null."
    )
    organization_id: strawberry.Private[UUID | None]

    @strawberry.field
    async def organization(self, info: Info) -> Organization | None:
        if self.organization_id is None:
            return None
        return await Organization.load(info.context, self.organization_id)

    @strawberry.field
    async def consents(self, info: Info) -> list[Consent]:
        rows = await info.context.loaders.many(select("consents", CONSENT), "contact_id").load(
            UUID(self.local_id)
        )
        return [Consent(**{k: v for k, v in r.items() if k != "contact_id"}) for r in rows]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Contact":
        merged = row["merged_into"]
        return cls(
            id=global_id("Contact", row["id"]),
            local_id=str(row["id"]),
            name=row["name"],
            title=row["title"],
            country=row["country"],
            language=row["language"],
            merged_into_id=global_id("Contact", merged) if merged else None,
            version=row["version"],
            email=row["email"],
            phone=row["phone"],
            forgotten=row["forgotten_at"] is not None,
            organization_id=row["organization_id"],
        )

    @classmethod
    async def load(cls, ctx: "Context", key: UUID | None) -> Optional["Contact"]:
        if key is None:
            return None
        row = await ctx.loaders.one(select("contacts", CONTACT)).load(key)
        return cls.from_row(row) if row else None
