"""Reactions to other services' events (choreography), run by the consumer loop in the
same transaction as its offsets.

outreach's InterestConverted (kind EXHIBIT) asks for a pre-filled application that names
the interest, unless the conversion already names one (an application that named the
interest converted it). The conversion is a saga: one application per converted
interest, however often the event is redelivered, replayed or raced (the application's
stream is the organization's, and one that already answers the interest is left as it
is); a refusal (the data do not make a valid application, the edition has opened, the
organization already applied) is recorded as ConversionRefused with its code and
reason, which outreach compensates. Only an event that names no interest is raised, so
the loop dead-letters it; a transient failure is raised too, and retried.

outreach's ContactForgotten names the applications whose contact person had the
forgotten contact's address: each forgets them as forgetExhibitorContact would
(ExhibitorContactForgotten, then their keys), so that the read model and the notifier
erase them there too and no more mail goes to them.
"""

import logging
from uuid import UUID

from pavilion_contracts.exhibitors.commands import (
    ApplicantContactIn,
    Areas,
    Categories,
    SubmitApplication,
)
from pavilion_contracts.reader import READER
from pavilion_core.bodies import Body, Country, Text
from pavilion_core.clock import Clock
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.errors import CommandRejected, NotFound
from pavilion_core.eventstore import CommandContext
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import TransactionEventStore
from pydantic import ConfigDict, EmailStr, Field, ValidationError

from exhibitors.commands import RefuseConversion, StartConversion
from exhibitors.forgetting import Forgetting
from exhibitors.handlers import Handlers

log = logging.getLogger(__name__)
INTEREST_CONVERTED = READER.ce_type("outreach", "InterestConverted")
CONTACT_FORGOTTEN = READER.ce_type("outreach", "ContactForgotten")


class Reactions:
    def __init__(self, clock: Clock, sealer: Sealer) -> None:
        self.clock, self.sealer = clock, sealer

    async def __call__(self, conn: Connection, event: CloudEvent) -> None:
        if event.type == INTEREST_CONVERTED and event.data.get("kind") == "EXHIBIT":
            await self.start_application(conn, event)
        elif event.type == CONTACT_FORGOTTEN:
            await self.forget_contact_person(conn, event)

    def handlers(self, conn: Connection) -> Handlers:
        return Handlers(TransactionEventStore(conn, self.sealer), self.clock)

    async def forget_contact_person(self, conn: Connection, event: CloudEvent) -> None:
        forgotten = ContactNamed.model_validate(event.data)
        forgetting = Forgetting(self.handlers(conn), self.sealer.vault)
        pseudonyms = set(forgotten.address_pseudonyms)
        for application in map(str, forgotten.application_ids):
            ctx = _context(event, f"reaction:{event.id}:{application}", "contact-forgotten")
            try:
                await forgetting.contact_forgotten(application, pseudonyms, ctx)
            except NotFound:  # the vault knew of an application never recorded
                log.info(
                    "no application to forget a contact in", extra={"application": application}
                )

    async def start_application(self, conn: Connection, event: CloudEvent) -> None:
        if event.data.get("applicationId"):
            return  # an application named the interest: that one answers the conversion
        interest = str(InterestNamed.model_validate(event.data).interest_id)
        handlers = self.handlers(conn)
        ctx = _context(event, f"reaction:{event.id}", "interest-converted")
        try:
            start = StartConversion(event.stream_version, prefilled(event.data))
            result = await handlers.start_conversion(start, ctx)
        except (CommandRejected, ValidationError) as exc:
            code, reason = refusal(exc)
            refuse = RefuseConversion(interest, event.stream_version, code, reason)
            await handlers.refuse_conversion(refuse, ctx)
            log.info("conversion refused", extra={"interest": interest, "code": code})
            return
        log.info(
            "conversion answered",
            extra={"application": result.stream_id, "interest": interest},
        )


def _context(event: CloudEvent, key: str, reaction: str) -> CommandContext:
    """A reaction's command: caused by `event`, idempotent by `key`."""
    return CommandContext(
        Metadata(
            correlation_id=event.correlation_id or event.id,
            causation_id=event.id,
            actor=f"exhibitors:{reaction}",
        ),
        idempotency_key=key,
        fingerprint=event.id,
    )


def refusal(exc: CommandRejected | ValidationError) -> tuple[str, str]:
    """The code and reason a refusal is recorded with; a malformed conversion's reason
    names the fields and what is wrong with them, never the values."""
    if isinstance(exc, CommandRejected):
        return exc.code, str(exc)
    problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return "VALIDATION", "; ".join(problems)


class InterestNamed(Body):
    """The least a conversion must carry to be answered at all."""

    model_config = ConfigDict(extra="ignore")  # later versions may add fields
    interest_id: UUID


class ContactNamed(Body):
    """outreach's ContactForgotten as this service reads it: those recorded before it
    named applications name none."""

    model_config = ConfigDict(extra="ignore")
    application_ids: list[UUID] = Field(default_factory=list)
    address_pseudonyms: list[str] = Field(default_factory=list)


class ConvertedContact(Body):
    contact_id: UUID
    name: Text
    email: EmailStr
    phone: str | None = None


class InterestConverted(InterestNamed):
    """outreach's event as this service reads it (schemas/events/outreach/)."""

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
    contact = ApplicantContactIn(name=d.contact.name, email=d.contact.email, phone=d.contact.phone)
    return SubmitApplication(
        edition=d.edition,
        company_name=d.organization_name,
        country=d.country,
        supply_chain_areas=d.supply_chain_areas,
        product_categories=d.product_categories,
        contacts=[contact],
        organization_id=d.organization_id,
        source_interest_id=d.interest_id,
    )
