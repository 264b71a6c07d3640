"""The exhibitors service's unit of work: the aggregates a command touches."""

from datetime import datetime

from pavilion_core.aggregate import Session
from pavilion_core.errors import NotFound
from pavilion_core.eventstore import Load

from exhibitors.domain.application import ExhibitorApplication
from exhibitors.domain.conversion import Conversion, conversion_id
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.domain.rebooking import RebookingOffer
from exhibitors.domain.values import Edition
from exhibitors.domain.waitlist import Waitlist, waitlist_id
from exhibitors.editions import Editions


class ExhibitorsSession(Session):
    def __init__(self, load: Load, editions: Editions, now: datetime) -> None:
        super().__init__(load, now)
        self.editions = editions

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

    def edition_of(self, application: ExhibitorApplication) -> Edition:
        """The edition of an existing application (NOT_FOUND when there is none)."""
        if application.status is None:
            raise NotFound(f"no application {application.id}")
        return self.editions.lookup(application.edition)
