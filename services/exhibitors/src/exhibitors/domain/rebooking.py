"""A re-booking offer: an exhibitor confirmed at an earlier edition is offered a place at
a later one, pre-filled from its application there, its previous booth held until a
deadline.

One stream per offer, its id derived from the target edition and the previous
application, so offering twice makes nothing new. States: OFFERED → ACCEPTED (before
the deadline: an approved application with the booth held) | DECLINED | EXPIRED (the
service's sweep, once the deadline has passed). Accepting or declining again changes
nothing; any other move from a final state is INVALID_TRANSITION.
"""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid5

from pavilion_contracts.exhibitors import RebookingStatus
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors import events as e
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import InvalidTransition, InvalidValue, NotFound

from exhibitors.domain.application import ExhibitorApplication, application_id
from exhibitors.domain.values import BoothRef, Contact, Edition

R = RebookingStatus
REBOOKING_NAMESPACE = UUID("0c5b1e0a-7d3f-4a55-8f0e-5a4c2b7d9e31")


def offer_id(edition: str, previous_application_id: str) -> str:
    return str(uuid5(REBOOKING_NAMESPACE, f"{edition}/{previous_application_id}"))


@dataclass
class RebookingOffer(Aggregate):
    opened_by = (e.RebookingOffered,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    status: R | None = None
    version: int = 0
    offered: e.RebookingOffered | None = None
    held: BoothRef | None = None
    application_id: str | None = None
    deadline: datetime = field(default=datetime.min)

    @property
    def stream_id(self) -> str:
        return self.id

    def make(
        self,
        previous: ExhibitorApplication,
        edition: Edition,
        held: BoothRef | None,
        deadline: datetime,
    ) -> list[Event]:
        """Offer `edition` to the exhibitor of `previous`; nothing when already offered."""
        if self.status is not None:
            return []
        return self._record(
            e.RebookingOffered(
                offer_id=self.id,
                edition=edition.code,
                edition_name=edition.name,
                from_edition=previous.edition,
                previous_application_id=previous.id,
                organization_id=previous.organization_id,
                company_name=previous.company_name,
                country=previous.country,
                address=previous.address,
                supply_chain_areas=list(previous.areas),
                product_categories=list(previous.categories),
                contacts=[_contact(x) for x in previous.contacts.values()],
                previous_editions=previous.previous_editions + 1,
                booth_size_sqm=previous.booth_size or previous.booth_size_sqm,
                held_hall=held.hall if held else None,
                held_booth_code=held.code if held else None,
                deadline=deadline.isoformat(),
            )
        )

    @staticmethod
    def application_for(previous: ExhibitorApplication, edition: Edition) -> str:
        """The application the exhibitor of `previous` has (or would have) at `edition`."""
        return _application(edition.code, previous.organization_id, previous.company_name)

    def accept(self, now: datetime) -> list[Event]:
        """Accepted, as the application the exhibitor has at the edition (its id named
        as any application's); [] when it was accepted already."""
        if self._settled(R.ACCEPTED, "accept"):
            return []
        if now >= self.deadline:
            raise InvalidTransition(f"re-booking offer {self.id} expired at {self.deadline}")
        assert self.offered is not None
        app_id = _application(
            self._edition, self.offered.organization_id, self.offered.company_name
        )
        return self._record(
            e.RebookingAccepted(offer_id=self.id, edition=self._edition, application_id=app_id)
        )

    def decline(self, reason: str) -> list[Event]:
        if self._settled(R.DECLINED, "decline"):
            return []
        return self._record(
            e.RebookingDeclined(offer_id=self.id, edition=self._edition, reason=reason)
        )

    def expire(self, now: datetime) -> list[Event]:
        """Expired once the deadline has passed; [] before it, or when already settled."""
        if self.status is not R.OFFERED or now < self.deadline:
            return []
        return self._record(e.RebookingExpired(offer_id=self.id, edition=self._edition))

    @property
    def _edition(self) -> str:
        assert self.offered is not None
        return self.offered.edition

    def _settled(self, into: R, action: str) -> bool:
        """Whether the offer is already `into` (a repeat); refused from any other final
        state (or when there is no offer)."""
        if self.status is None:
            raise NotFound(f"no re-booking offer {self.id}")
        if self.status is into:
            return True
        if self.status is not R.OFFERED:
            raise InvalidTransition(f"cannot {action} a re-booking offer that is {self.status}")
        return False

    def when(self, event: Event) -> None:
        match event:
            case e.RebookingOffered():
                self.status, self.offered = R.OFFERED, event
                self.deadline = datetime.fromisoformat(event.deadline)
                if event.held_hall and event.held_booth_code:
                    self.held = BoothRef(event.held_hall, event.held_booth_code)
            case e.RebookingAccepted(application_id=application):
                self.status, self.application_id = R.ACCEPTED, application
            case e.RebookingDeclined():
                self.status = R.DECLINED
            case e.RebookingExpired():
                self.status = R.EXPIRED


def check_deadline(deadline: datetime, edition: Edition, now: datetime) -> None:
    if deadline <= now:
        raise InvalidValue("deadline", "the deadline is in the past")
    if edition.has_opened(deadline):
        raise InvalidValue("deadline", f"the deadline is after {edition.code} opens")


def submission(offer: e.RebookingOffered) -> c.SubmitApplication:
    """The application an accepted offer becomes: last year's, as the offer holds it."""
    return c.SubmitApplication.model_validate(
        {
            "edition": offer.edition,
            "companyName": offer.company_name,
            "country": offer.country,
            "address": offer.address,
            "supplyChainAreas": offer.supply_chain_areas,
            "productCategories": offer.product_categories,
            "contacts": [x for x in offer.contacts if x.get("email")],  # forgotten: null
            "organizationId": offer.organization_id,
            "previousEditions": offer.previous_editions,
            "boothSizeSqm": offer.booth_size_sqm,
        }
    )


def _application(edition: str, organization_id: str | None, company_name: str) -> str:
    organization = UUID(organization_id) if organization_id else None
    return application_id(edition, organization, company_name)


def _contact(contact: Contact) -> dict[str, str | None]:
    return {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "language": contact.language,
    }
