"""A harness for outreach stories: handlers over the in-memory store, a fixed clock,
and givens for the trip of DOMAIN.md."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from outreach.handlers import Handlers
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import InterestKind, OrganizationKind, OutreachEventKind
from pavilion_contracts.outreach import commands as c
from pavilion_core.commanding import Command
from pavilion_core.envelope import Metadata, RecordedEvent
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.testing import FixedClock, InMemoryEventStore

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
FORUM_STARTS = datetime(2025, 11, 30, 14, 0, tzinfo=UTC)
TORONTO, WASHINGTON, OAKLAND = "America/Toronto", "America/New_York", "America/Los_Angeles"
C = TypeVar("C")
Handler = Callable[[C, CommandContext], Awaitable[AppendResult]]


def ctx(**kw: object) -> CommandContext:
    return CommandContext(Metadata(correlation_id="story", actor="staff"), **kw)  # type: ignore[arg-type]


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Outreach:
    store: InMemoryEventStore = field(default_factory=InMemoryEventStore)
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))

    @property
    def h(self) -> Handlers:
        return Handlers(self.store, self.clock)

    def events(self, stream: str) -> list[RecordedEvent]:
        return list(self.store.streams.get(stream, []))

    def types(self, stream: str) -> list[str]:
        return [e.type for e in self.events(stream)]

    async def organization(self, name: str = "Maple Robotics", country: str = "CA") -> str:
        command = c.RegisterOrganization(name=name, kind=OrganizationKind.COMPANY, country=country)
        return (await self.h.register_organization(command, ctx())).stream_id

    async def contact(
        self, email: str | None = None, organization_id: str | None = None, name: str = "Jane Roy"
    ) -> str:
        command = c.RegisterContact(
            name=name,
            title="CEO",
            email=email or f"{new_id()}@x.example",
            country="CA",
            language="fr",
            organization_id=organization_id,
        )
        return (await self.h.register_contact(command, ctx())).stream_id

    async def trip(self) -> str:
        leader = await self.contact(name="Council President")
        delegation = await self.created(
            self.h.form_delegation,
            c.FormDelegation(
                name="CCPIT North America", organizer="CCPIT", leader_id=leader, purpose="recruit"
            ),
        )
        stops = [
            stop("Toronto", "CA", date(2025, 11, 30), date(2025, 12, 2), TORONTO),
            stop("Washington", "US", date(2025, 12, 4), date(2025, 12, 4), WASHINGTON),
            stop("Oakland", "US", date(2025, 12, 5), date(2025, 12, 5), OAKLAND),
        ]
        return await self.created(
            self.h.plan_trip,
            c.PlanTrip(delegation_id=delegation, name="North America 2025", stops=stops),
        )

    async def forum(self, capacity: int | None = None) -> str:
        return await self.created(
            self.h.schedule_event,
            c.ScheduleOutreachEvent(
                trip_id=await self.trip(),
                stop_index=0,
                name="Trade and Investment Forum",
                kind=OutreachEventKind.FORUM,
                starts_at=FORUM_STARTS,
                ends_at=FORUM_STARTS.replace(hour=18),
                venue="Metro Toronto Convention Centre",
                capacity=capacity,
            ),
        )

    async def interest(self, kind: InterestKind = InterestKind.EXHIBIT) -> tuple[str, str, str]:
        org = await self.organization()
        contact = await self.contact(organization_id=org)
        interest = await self.created(
            self.h.capture_interest,
            c.CaptureInterest(
                contact_id=contact,
                kind=kind,
                edition="CISCE-2026",
                supply_chain_areas=[SupplyChainArea.ADVANCED_MANUFACTURING],
                product_categories=["robots"],
            ),
        )
        return interest, contact, org

    async def change_interest(self, interest: str, action: str, **fields: str) -> AppendResult:
        return await self.h.change_interest(_command(ON_INTEREST[action], fields, interest), ctx())

    async def change_trip(self, trip: str, action: str, **fields: str) -> AppendResult:
        return await self.h.change_trip_status(_command(ON_TRIP[action], fields, trip), ctx())

    async def created(self, handler: Handler[C], command: C) -> str:
        """The id of the record `command` creates."""
        return (await handler(command, ctx())).stream_id


ON_INTEREST: dict[str, type[c.InterestChange]] = {
    "qualify": c.QualifyInterest,
    "nurture": c.NurtureInterest,
    "convert": c.ConvertInterest,
    "lose": c.MarkInterestLost,
    "assign": c.AssignInterestOwner,
}
ON_TRIP: dict[str, type[c.TripChange]] = {
    "start": c.StartTrip,
    "complete": c.CompleteTrip,
    "cancel": c.CancelTrip,
}
K = TypeVar("K", bound=Command)


def _command(kind: type[K], fields: dict[str, str], record: str) -> K:
    """`kind` on `record` (its path's id), with those of `fields` it takes."""
    taken = {name: value for name, value in fields.items() if name in kind.model_fields}
    return kind(**{kind.route.path_fields[0]: record}, **taken)


def stop(
    city: str, country: str, starts: date, ends: date, time_zone: str | None = None
) -> c.StopIn:
    return c.StopIn(city=city, country=country, starts_on=starts, ends_on=ends, time_zone=time_zone)
