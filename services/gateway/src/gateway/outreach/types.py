"""GraphQL types of the outreach feature; every relation goes through a DataLoader."""

import json
from datetime import date, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Optional
from uuid import UUID

import asyncpg
import strawberry

from gateway.exhibitors.types import SupplyChainArea
from gateway.relay import Connection, Keyset, Node, Query, fetch_page, global_id
from gateway.timeline import Timelined

if TYPE_CHECKING:
    from gateway.context import Context
    from gateway.exhibitors.types import Exhibitor

Info = strawberry.Info["Context", None]


def select(table: str, columns: str) -> str:
    return f"SELECT {columns} FROM {table} WHERE {{where}}"


ORGANIZATION = "id, name, kind, country, website, merged_into, version"
CONTACT = "id, name, title, email, phone, country, language, organization_id, merged_into, version"
CONSENT = "contact_id, channel, purpose, legal_basis, granted_at, expires_at, withdrawn_at"
DELEGATION = "id, name, organizer, leader_id, purpose, member_ids, version"
TRIP = "id, delegation_id, name, status, stops, version"
EVENT = (
    "id, trip_id, stop_index, name, kind, city, country, venue, starts_at, ends_at, capacity, "
    "status, version, (SELECT count(*) FROM invitations i WHERE i.event_id = e.id) AS invited, "
    "(SELECT count(*) FROM invitations i WHERE i.event_id = e.id AND i.status = 'ACCEPTED') "
    "AS accepted, (SELECT count(*) FROM invitations i WHERE i.event_id = e.id AND i.attended) "
    "AS attended"
)
INVITATION = "event_id, contact_id, status, attended, invited_at"
INTEREST = (
    "id, contact_id, organization_id, source_event_id, kind, edition, supply_chain_areas, "
    "product_categories, stage, owner, application_id, captured_at, version"
)
FOLLOW_UP = "id, subject_id, owner, due_at, status, overdue, note, outcome, version"
EVENTS = "outreach_events e"


@strawberry.enum
class OrganizationKind(Enum):
    COMPANY = "COMPANY"
    GOVERNMENT = "GOVERNMENT"
    CHAMBER = "CHAMBER"
    ASSOCIATION = "ASSOCIATION"
    INSTITUTION = "INSTITUTION"


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
    name: str
    title: str | None
    country: str
    language: str
    merged_into_id: strawberry.ID | None
    version: int
    _email: strawberry.Private[str]
    _phone: strawberry.Private[str | None]
    organization_id: strawberry.Private[UUID | None]

    @strawberry.field(description="Null for VIEWER tokens: no personal data.")
    def email(self, info: Info) -> str | None:
        return self._email if info.context.viewer.sees_personal_data else None

    @strawberry.field(description="Null for VIEWER tokens: no personal data.")
    def phone(self, info: Info) -> str | None:
        return self._phone if info.context.viewer.sees_personal_data else None

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
            _email=row["email"],
            _phone=row["phone"],
            organization_id=row["organization_id"],
        )

    @classmethod
    async def load(cls, ctx: "Context", key: UUID | None) -> Optional["Contact"]:
        if key is None:
            return None
        row = await ctx.loaders.one(select("contacts", CONTACT)).load(key)
        return cls.from_row(row) if row else None


@strawberry.type
class Delegation(Node, Timelined):
    name: str
    organizer: str
    purpose: str
    version: int
    leader_id: strawberry.Private[UUID]
    member_ids: strawberry.Private[list[UUID]]

    @strawberry.field
    async def leader(self, info: Info) -> Contact | None:
        return await Contact.load(info.context, self.leader_id)

    @strawberry.field
    async def members(self, info: Info) -> list[Contact]:
        rows = await info.context.loaders.one(select("contacts", CONTACT)).load_many(
            self.member_ids
        )
        return [Contact.from_row(r) for r in rows if r is not None]

    @strawberry.field
    async def trips(self, info: Info) -> list["Trip"]:
        rows = await info.context.loaders.many(select("trips", TRIP), "delegation_id").load(
            UUID(self.local_id)
        )
        return [Trip.from_row(r) for r in rows]

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Delegation":
        return cls(
            id=global_id("Delegation", row["id"]),
            local_id=str(row["id"]),
            name=row["name"],
            organizer=row["organizer"],
            purpose=row["purpose"],
            version=row["version"],
            leader_id=row["leader_id"],
            member_ids=list(row["member_ids"]),
        )


@strawberry.type
class TripStop:
    index: int
    city: str
    country: str
    starts_on: date
    ends_on: date
    trip_id: strawberry.Private[UUID]

    @strawberry.field
    async def events(self, info: Info) -> list["OutreachEvent"]:
        rows = await info.context.loaders.many(select(EVENTS, EVENT), "trip_id").load(self.trip_id)
        return [OutreachEvent.from_row(r) for r in rows if r["stop_index"] == self.index]


@strawberry.enum
class TripStatus(Enum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@strawberry.type
class Trip(Node, Timelined):
    name: str
    status: TripStatus
    stops: list[TripStop]
    version: int
    delegation_id: strawberry.Private[UUID]

    @strawberry.field
    async def delegation(self, info: Info) -> Delegation | None:
        row = await info.context.loaders.one(select("delegations", DELEGATION)).load(
            self.delegation_id
        )
        return Delegation.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Trip":
        stops: list[dict[str, Any]] = json.loads(row["stops"])
        return cls(
            id=global_id("Trip", row["id"]),
            local_id=str(row["id"]),
            name=row["name"],
            status=TripStatus(row["status"]),
            version=row["version"],
            delegation_id=row["delegation_id"],
            stops=[
                TripStop(
                    index=i,
                    city=s["city"],
                    country=s["country"],
                    starts_on=date.fromisoformat(s["startsOn"]),
                    ends_on=date.fromisoformat(s["endsOn"]),
                    trip_id=row["id"],
                )
                for i, s in enumerate(stops)
            ],
        )


@strawberry.enum
class OutreachEventKind(Enum):
    FORUM = "FORUM"
    PRESENTATION = "PRESENTATION"
    NETWORKING_BREAKFAST = "NETWORKING_BREAKFAST"
    SPEECH = "SPEECH"
    MEETING = "MEETING"


@strawberry.enum
class InvitationStatus(Enum):
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


@strawberry.type
class Invitation:
    status: InvitationStatus
    attended: bool | None
    invited_at: datetime
    contact_id: strawberry.Private[UUID]

    @strawberry.field
    async def contact(self, info: Info) -> Contact | None:
        return await Contact.load(info.context, self.contact_id)


@strawberry.type
class OutreachEvent(Node, Timelined):
    name: str
    kind: OutreachEventKind
    city: str
    country: str
    venue: str | None
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    status: str
    invited: int
    accepted: int
    attended: int
    version: int
    trip_id: strawberry.Private[UUID]

    @strawberry.field
    async def invitations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Invitation]:
        query = Query(INVITATION, "invitations").narrowed("event_id = {0}", UUID(self.local_id))
        keyset = Keyset((("invited_at", "timestamptz"), ("contact_id", "uuid")))
        return await fetch_page(info.context.pool, query, keyset, _invitation, first, after)

    @strawberry.field
    async def interests(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection["Interest"]:
        query = Query(INTEREST, "interests").narrowed("source_event_id = {0}", UUID(self.local_id))
        return await fetch_page(
            info.context.pool, query, INTEREST_ORDER, Interest.from_row, first, after
        )

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "OutreachEvent":
        return cls(
            id=global_id("OutreachEvent", row["id"]),
            local_id=str(row["id"]),
            trip_id=row["trip_id"],
            kind=OutreachEventKind(row["kind"]),
            **{
                k: row[k]
                for k in (
                    "name",
                    "city",
                    "country",
                    "venue",
                    "starts_at",
                    "ends_at",
                    "capacity",
                    "status",
                    "invited",
                    "accepted",
                    "attended",
                    "version",
                )
            },
        )


def _invitation(row: asyncpg.Record) -> Invitation:
    return Invitation(
        status=InvitationStatus(row["status"]),
        attended=row["attended"],
        invited_at=row["invited_at"],
        contact_id=row["contact_id"],
    )


@strawberry.enum
class InterestKind(Enum):
    EXHIBIT = "EXHIBIT"
    VISIT = "VISIT"
    PARTNER = "PARTNER"


@strawberry.enum
class InterestStage(Enum):
    CAPTURED = "CAPTURED"
    QUALIFIED = "QUALIFIED"
    NURTURING = "NURTURING"
    CONVERTED = "CONVERTED"
    LOST = "LOST"


INTEREST_ORDER = Keyset((("captured_at", "timestamptz"), ("id", "uuid")))


@strawberry.type
class Interest(Node, Timelined):
    kind: InterestKind
    edition: str
    supply_chain_areas: list[SupplyChainArea]
    product_categories: list[str]
    stage: InterestStage
    owner: str | None
    captured_at: datetime
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


@strawberry.enum
class FollowUpStatus(Enum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


@strawberry.type
class FollowUp(Node, Timelined):
    owner: str
    due_at: datetime
    status: FollowUpStatus
    overdue: bool
    note: str | None
    outcome: str | None
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
