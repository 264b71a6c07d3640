"""Delegations, their trips and stops, outreach events and invitations."""

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

import asyncpg
import strawberry

from gateway.enums import InvitationStatus, OutreachEventKind, TripStatus
from gateway.outreach.columns import (
    CONTACT,
    DELEGATION,
    EVENT,
    EVENTS,
    INTEREST,
    INTEREST_ORDER,
    INVITATION,
    TRIP,
    Info,
    select,
)
from gateway.outreach.parties import Contact
from gateway.relay import Connection, Keyset, Node, Query, fetch_page, global_id
from gateway.timeline import Timelined

if TYPE_CHECKING:
    from gateway.outreach.leads import Interest


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
    time_zone: str = strawberry.field(
        description="The stop's IANA time zone (its dates are days of this calendar)."
    )
    trip_id: strawberry.Private[UUID]

    @strawberry.field
    async def events(self, info: Info) -> list["OutreachEvent"]:
        rows = await info.context.loaders.many(select(EVENTS, EVENT), "trip_id").load(self.trip_id)
        return [OutreachEvent.from_row(r) for r in rows if r["stop_index"] == self.index]


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
                    time_zone=s.get("timeZone") or "UTC",  # stops planned before zones
                    trip_id=row["id"],
                )
                for i, s in enumerate(stops)
            ],
        )


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
    ) -> Connection[Annotated["Interest", strawberry.lazy("gateway.outreach.leads")]]:
        from gateway.outreach.leads import Interest

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
