"""The waitlist of an edition: waitlisted applications without a booth offer, in
priority order (pavilion_contracts.exhibitors.rules.waitlist_priority: more earlier
editions exhibited first, then the larger booth wanted, then who came first)."""

from dataclasses import dataclass, field

from pavilion_contracts.exhibitors import WaitlistRemovalReason
from pavilion_contracts.exhibitors import events as e
from pavilion_contracts.exhibitors.rules import waitlist_priority
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event


def waitlist_id(edition: str) -> str:
    return f"waitlist:{edition}"


@dataclass(frozen=True)
class Entry:
    application_id: str
    previous_editions: int
    booth_size_sqm: int
    arrival: int


@dataclass
class Waitlist(Aggregate):
    opened_by = (e.WaitlistEntryAdded,)
    upcasters = UPCASTERS
    events = e.EVENTS
    edition: str
    entries: dict[str, Entry] = field(default_factory=dict)
    version: int = 0

    @property
    def stream_id(self) -> str:
        return waitlist_id(self.edition)

    def in_priority_order(self) -> list[str]:
        ranked = sorted(
            self.entries.values(),
            key=lambda x: waitlist_priority(x.previous_editions, x.booth_size_sqm, x.arrival),
        )
        return [entry.application_id for entry in ranked]

    def add(
        self, application_id: str, previous_editions: int, booth_size_sqm: int | None
    ) -> list[Event]:
        return self._record(
            e.WaitlistEntryAdded(
                application_id=application_id,
                edition=self.edition,
                previous_editions=previous_editions,
                booth_size_sqm=booth_size_sqm,
            )
        )

    def remove(self, application_id: str, reason: WaitlistRemovalReason) -> list[Event]:
        if application_id not in self.entries:
            return []
        return self._record(
            e.WaitlistEntryRemoved(
                application_id=application_id, edition=self.edition, reason=reason
            )
        )

    def when(self, event: Event) -> None:
        match event:
            case e.WaitlistEntryAdded(application_id=application):
                size = event.booth_size_sqm or 0
                self.entries[application] = Entry(
                    application, event.previous_editions, size, self.version
                )
            case e.WaitlistEntryRemoved(application_id=application):
                self.entries.pop(application, None)
