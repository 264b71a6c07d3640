"""The exhibitors service's unit of work: the aggregates a command touches."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from pavilion_core.aggregate import Session
from pavilion_core.errors import InvalidValue, NotFound
from pavilion_core.eventstore import Load

from exhibitors.domain import values
from exhibitors.domain.application import ExhibitorApplication
from exhibitors.domain.conversion import Conversion, conversion_id
from exhibitors.domain.edition import PREFIX, Edition, edition_id
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.domain.rebooking import RebookingOffer
from exhibitors.domain.waitlist import Waitlist, waitlist_id

StreamIds = Callable[[str], Awaitable[list[str]]]  # EventStorePort.stream_ids


class ExhibitorsSession(Session):
    def __init__(self, load: Load, stream_ids: StreamIds, now: datetime) -> None:
        super().__init__(load, now)
        self.stream_ids = stream_ids

    async def application(self, application_id: str) -> ExhibitorApplication:
        return await self.get(application_id, lambda: ExhibitorApplication(application_id))

    async def conversion(self, interest_id: str) -> Conversion:
        return await self.get(conversion_id(interest_id), lambda: Conversion(interest_id))

    async def floor_plan(self, edition: str, hall: str) -> FloorPlan:
        return await self.get(floor_plan_id(edition, hall), lambda: FloorPlan(edition, hall))

    async def offer(self, offer_id: str) -> RebookingOffer:
        return await self.get(offer_id, lambda: RebookingOffer(offer_id))

    async def waitlist(self, edition: str) -> Waitlist:
        return await self.get(waitlist_id(edition), lambda: Waitlist(edition))

    async def edition_record(self, code: str) -> Edition:
        """The edition as a record to change (NOT_FOUND, when it is one, if it is none)."""
        return await self.get(edition_id(code), lambda: Edition(code))

    async def edition(self, code: str, field: str = "edition") -> values.Edition:
        """The edition a command names in `field`; an unknown one is the caller's mistake."""
        record = await self.edition_record(code)
        if record.created is None:
            known = [stream.removeprefix(PREFIX) for stream in await self.stream_ids(PREFIX)]
            raise InvalidValue(field, f"unknown edition {code!r}; known: {', '.join(known)}")
        return record.created

    async def edition_of(self, application: ExhibitorApplication) -> values.Edition:
        """The edition of an existing application (NOT_FOUND when there is none)."""
        if application.status is None:
            raise NotFound(f"no application {application.id}")
        return (await self.edition_record(application.edition)).terms
