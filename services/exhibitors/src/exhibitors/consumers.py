"""Reactions to other services' events (choreography), run by the consumer loop in the
same transaction as its offsets.

outreach's InterestConverted (kind EXHIBIT) starts a pre-filled application that names
the interest. A redelivery, or the same event relayed twice, is answered from the
idempotency key derived from the event id; an organization that already applied is
left as it is. An event that cannot be acted on (malformed, unknown edition) is
raised, so the loop dead-letters it with the reason.
"""

import logging
from uuid import UUID

from pavilion_core.bodies import Body, Country, Text
from pavilion_core.clock import Clock
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.errors import Duplicate
from pavilion_core.eventstore import CommandContext
from pavilion_core.pgstore import TransactionEventStore
from pydantic import ConfigDict, EmailStr, Field

from exhibitors.api.models import Areas, Categories
from exhibitors.commands import SubmitApplication
from exhibitors.domain.values import Contact
from exhibitors.editions import Editions
from exhibitors.handlers import Handlers

log = logging.getLogger(__name__)
INTEREST_CONVERTED = "pavilion.outreach.InterestConverted.v1"


class Reactions:
    def __init__(self, editions: Editions, clock: Clock) -> None:
        self.editions, self.clock = editions, clock

    async def __call__(self, conn: Connection, event: CloudEvent) -> None:
        if event.type == INTEREST_CONVERTED and event.data.get("kind") == "EXHIBIT":
            await self.start_application(conn, event)

    async def start_application(self, conn: Connection, event: CloudEvent) -> None:
        handlers = Handlers(TransactionEventStore(conn), self.editions, self.clock)
        ctx = CommandContext(
            Metadata(
                correlation_id=event.correlation_id or event.id,
                causation_id=event.id,
                actor="exhibitors:interest-converted",
            ),
            idempotency_key=f"reaction:{event.id}",
            fingerprint=event.id,
        )
        try:
            result = await handlers.submit_application(prefilled(event.data), ctx)
        except Duplicate as exc:
            log.info(
                "organization already applied",
                extra={"application": exc.existing_id, "interest": event.data["interestId"]},
            )
            return
        log.info(
            "application started from interest",
            extra={"application": result.stream_id, "interest": event.data["interestId"]},
        )


class ConvertedContact(Body):
    contact_id: UUID
    name: Text
    email: EmailStr
    phone: str | None = None


class InterestConverted(Body):
    """outreach's event as this service reads it (schemas/events/outreach/)."""

    model_config = ConfigDict(extra="ignore")  # later versions may add fields
    interest_id: UUID
    kind: str
    edition: str
    organization_id: UUID
    organization_name: Text
    country: Country
    supply_chain_areas: Areas
    product_categories: Categories = Field(default_factory=list)
    contact: ConvertedContact


def prefilled(data: dict[str, object]) -> SubmitApplication:
    """The application to start; a malformed event raises pydantic's ValidationError."""
    d = InterestConverted.model_validate(data)
    return SubmitApplication(
        edition=d.edition,
        company_name=d.organization_name,
        country=d.country,
        supply_chain_areas=tuple(dict.fromkeys(d.supply_chain_areas)),
        product_categories=tuple(d.product_categories),
        contacts=(Contact(d.contact.name, d.contact.email.lower(), d.contact.phone),),
        organization_id=d.organization_id,
        source_interest_id=d.interest_id,
    )
