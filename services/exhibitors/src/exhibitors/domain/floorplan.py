"""The floor plan of one hall of an edition: its booths and who holds each.

A booth is free, offered (held for a waitlisted application) or allocated; it is never
allocated to two applications — the floor plan's stream version makes concurrent
allocations of one hall conflict, and the loser decides again on fresh state.
"""

from dataclasses import dataclass, field

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import events as e
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound

from exhibitors.domain.values import BoothRef, Edition


def floor_plan_id(edition: str, hall: str) -> str:
    return f"floorplan:{edition}:{hall}"


@dataclass
class Booth:
    code: str
    size_sqm: int
    area: str
    allocated_to: str | None = None
    offered_to: str | None = None

    @property
    def free(self) -> bool:
        return self.allocated_to is None and self.offered_to is None


@dataclass
class FloorPlan(Aggregate):
    opened_by = (e.BoothDefined,)
    upcasters = UPCASTERS
    events = e.EVENTS
    edition: str
    hall: str
    booths: dict[str, Booth] = field(default_factory=dict)
    version: int = 0

    @property
    def stream_id(self) -> str:
        return floor_plan_id(self.edition, self.hall)

    def booth(self, code: str) -> Booth:
        if code not in self.booths:
            raise NotFound(f"no booth {code} in hall {self.hall} of {self.edition}")
        return self.booths[code]

    def define(
        self, code: str, size_sqm: int, area: SupplyChainArea, edition: Edition
    ) -> list[Event]:
        if code in self.booths:
            raise Duplicate(
                f"booth {code} is already defined in hall {self.hall}",
                floor_plan_id(self.edition, self.hall),
            )
        if area not in edition.supply_chain_areas:
            raise InvalidValue("supplyChainArea", f"{area} is not an area of {edition.code}")
        return self._record(
            e.BoothDefined(
                edition=self.edition,
                hall=self.hall,
                booth_code=code,
                size_sqm=size_sqm,
                supply_chain_area=area.value,
            )
        )

    def copy(self, booth: Booth, edition: Edition) -> list[Event]:
        """Define a booth of another edition's plan of this hall: nothing when it is
        here already alike; DUPLICATE when its code is here as another booth."""
        mine = self.booths.get(booth.code)
        if mine is not None and (mine.size_sqm, mine.area) == (booth.size_sqm, booth.area):
            return []
        if mine is not None:
            raise Duplicate(
                f"booth {booth.code} of hall {self.hall} is {mine.size_sqm} sqm "
                f"{mine.area} in {self.edition}, not {booth.size_sqm} sqm {booth.area}",
                floor_plan_id(self.edition, self.hall),
            )
        return self.define(booth.code, booth.size_sqm, SupplyChainArea(booth.area), edition)

    def allocate(self, code: str, application_id: str) -> list[Event]:
        booth = self.booth(code)
        if booth.allocated_to is not None:
            raise InvalidTransition(
                f"booth {code} is already allocated to application {booth.allocated_to}"
            )
        if booth.offered_to not in (None, application_id):
            raise InvalidTransition(
                f"booth {code} is held for waitlisted application {booth.offered_to}"
            )
        return self._record(
            e.BoothAllocated(
                application_id=application_id, edition=self.edition, hall=self.hall, booth_code=code
            )
        )

    def release(self, code: str, application_id: str, reason: str) -> list[Event]:
        booth = self.booth(code)
        if application_id not in (booth.allocated_to, booth.offered_to):
            return []  # already released: releasing is idempotent
        return self._record(
            e.BoothReleased(
                application_id=application_id,
                edition=self.edition,
                hall=self.hall,
                booth_code=code,
                reason=reason,
            )
        )

    def offer(self, code: str, application_id: str) -> list[Event]:
        if not self.booth(code).free:
            raise InvalidTransition(f"booth {code} is not free to offer")
        return self._record(
            e.BoothOffered(
                application_id=application_id, edition=self.edition, hall=self.hall, booth_code=code
            )
        )

    def hand_over(self, code: str, holder: str, to: str, reason: str) -> list[Event]:
        """Pass a booth held for `holder` (a re-booking offer) to `to` (the application
        it became), as a release and an offer."""
        if self.booth(code).offered_to != holder:
            raise InvalidTransition(f"booth {code} is not held for {holder}")
        return self.release(code, holder, reason) + self.offer(code, to)

    def retire(self, code: str) -> list[Event]:
        """Take a booth defined by mistake off the plan: only while nobody holds it."""
        booth = self.booth(code)
        if booth.allocated_to is not None:
            raise InvalidTransition(
                f"booth {code} is allocated to application {booth.allocated_to}: "
                "release it before retiring it"
            )
        if booth.offered_to is not None:
            raise InvalidTransition(
                f"booth {code} is offered to waitlisted application {booth.offered_to}: "
                "it cannot be retired while the offer stands"
            )
        return self._record(e.BoothRetired(edition=self.edition, hall=self.hall, booth_code=code))

    def ref(self, code: str) -> BoothRef:
        return BoothRef(self.hall, self.booth(code).code)

    def when(self, event: Event) -> None:
        match event:
            case e.BoothDefined(booth_code=code, size_sqm=size, supply_chain_area=area):
                self.booths[code] = Booth(code, size, area)
            case e.BoothAllocated(booth_code=code, application_id=application):
                booth = self.booths[code]
                booth.allocated_to, booth.offered_to = application, None
            case e.BoothOffered(booth_code=code, application_id=application):
                self.booths[code].offered_to = application
            case e.BoothReleased(booth_code=code):
                booth = self.booths[code]
                booth.allocated_to = booth.offered_to = None
            case e.BoothRetired(booth_code=code):
                del self.booths[code]
