"""A command's view of the aggregates it touches: each loaded once, changed in memory,
and its new events collected per stream for one atomic append."""

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TypeVar, cast

from pavilion_core.envelope import NewEvent
from pavilion_core.eventstore import Load

from exhibitors.domain.aggregate import Aggregate
from exhibitors.domain.application import ExhibitorApplication
from exhibitors.domain.errors import NotFound
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.domain.values import Edition
from exhibitors.domain.waitlist import Waitlist, waitlist_id
from exhibitors.editions import Editions
from exhibitors.events import Event

A = TypeVar("A", bound=Aggregate)


class Session:
    def __init__(self, load: Load, editions: Editions, now: datetime) -> None:
        self.load, self.editions, self.now = load, editions, now
        self.aggregates: dict[str, Aggregate] = {}
        self.changes: dict[str, list[NewEvent]] = defaultdict(list)

    async def application(self, application_id: str) -> ExhibitorApplication:
        return await self._cached(application_id, lambda: ExhibitorApplication(application_id))

    async def floor_plan(self, edition: str, hall: str) -> FloorPlan:
        return await self._cached(floor_plan_id(edition, hall), lambda: FloorPlan(edition, hall))

    async def waitlist(self, edition: str) -> Waitlist:
        return await self._cached(waitlist_id(edition), lambda: Waitlist(edition))

    async def _cached(self, stream_id: str, fresh: Callable[[], A]) -> A:
        if stream_id not in self.aggregates:
            self.aggregates[stream_id] = fresh().replay(await self.load(stream_id))
        return cast(A, self.aggregates[stream_id])

    def edition_of(self, application: ExhibitorApplication) -> Edition:
        """The edition of an existing application (NOT_FOUND when there is none)."""
        if application.status is None:
            raise NotFound(f"no application {application.id}")
        return self.editions.lookup(application.edition)

    def record(self, aggregate: Aggregate, events: Sequence[Event]) -> None:
        self.changes[aggregate.stream_id] += [event.to_new_event() for event in events]

    def new_events(self) -> Mapping[str, Sequence[NewEvent]]:
        return self.changes
