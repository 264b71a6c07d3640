"""A harness for outreach stories: handlers over the in-memory store, a fixed clock,
and givens for the trip of DOMAIN.md."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from outreach import commands as c
from outreach.domain.travel import Stop
from outreach.handlers import Handlers
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import InterestKind, OrganizationKind, OutreachEventKind
from pavilion_core.envelope import Metadata, RecordedEvent
from pavilion_core.eventstore import CommandContext
from pavilion_core.testing import FixedClock, InMemoryEventStore

NOW = datetime(2025, 11, 20, 9, 0, tzinfo=UTC)
FORUM_STARTS = datetime(2025, 11, 30, 14, 0, tzinfo=UTC)
TORONTO, WASHINGTON, OAKLAND = "America/Toronto", "America/New_York", "America/Los_Angeles"


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
        org = new_id()
        await self.h.register_organization(
            c.RegisterOrganization(org, name, OrganizationKind.COMPANY, country), ctx()
        )
        return org

    async def contact(
        self, email: str | None = None, organization_id: str | None = None, name: str = "Jane Roy"
    ) -> str:
        contact = new_id()
        profile = c.ContactProfile(
            name=name,
            title="CEO",
            email=email or f"{contact}@x.example",
            phone=None,
            country="CA",
            language="fr",
        )
        await self.h.register_contact(c.RegisterContact(contact, profile, organization_id), ctx())
        return contact

    async def trip(self) -> str:
        leader = await self.contact(name="Council President")
        delegation, trip = new_id(), new_id()
        await self.h.form_delegation(
            c.FormDelegation(delegation, "CCPIT North America", "CCPIT", leader, "recruit"), ctx()
        )
        await self.h.plan_trip(
            c.PlanTrip(
                trip,
                delegation,
                "North America 2025",
                (
                    Stop("Toronto", "CA", date(2025, 11, 30), date(2025, 12, 2), TORONTO),
                    Stop("Washington", "US", date(2025, 12, 4), date(2025, 12, 4), WASHINGTON),
                    Stop("Oakland", "US", date(2025, 12, 5), date(2025, 12, 5), OAKLAND),
                ),
            ),
            ctx(),
        )
        return trip

    async def forum(self, capacity: int | None = None) -> str:
        trip, event = await self.trip(), new_id()
        await self.h.schedule_event(
            c.ScheduleOutreachEvent(
                event,
                trip,
                0,
                "Trade and Investment Forum",
                OutreachEventKind.FORUM,
                FORUM_STARTS,
                FORUM_STARTS.replace(hour=18),
                "Metro Toronto Convention Centre",
                capacity,
            ),
            ctx(),
        )
        return event

    async def interest(self, kind: InterestKind = InterestKind.EXHIBIT) -> tuple[str, str, str]:
        org = await self.organization()
        contact = await self.contact(organization_id=org)
        interest = new_id()
        await self.h.capture_interest(
            c.CaptureInterest(
                interest,
                contact,
                kind,
                "CISCE-2026",
                (SupplyChainArea.ADVANCED_MANUFACTURING,),
                ("robots",),
            ),
            ctx(),
        )
        return interest, contact, org
