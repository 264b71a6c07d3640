"""The exhibitor application aggregate. No I/O here.

One stream per organization per edition: the application id is derived from the
edition and the organization (or, for a company not yet known to outreach, its
normalised name), so a second application for the same one is caught by the stream.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid5

from pavilion_core.envelope import NewEvent, RecordedEvent
from pavilion_core.http import CommandRejected

from exhibitors.events import ApplicationSubmitted

if TYPE_CHECKING:
    from exhibitors.commands import SubmitApplication

APPLICATION_NAMESPACE = UUID("6f1f3a52-2a57-4d7e-9a0e-0d3c8a1f2b10")


class SupplyChainArea(StrEnum):
    ADVANCED_MANUFACTURING = "ADVANCED_MANUFACTURING"
    CLEAN_ENERGY = "CLEAN_ENERGY"
    SMART_VEHICLES = "SMART_VEHICLES"
    DIGITAL_TECHNOLOGY = "DIGITAL_TECHNOLOGY"
    HEALTHY_LIVING = "HEALTHY_LIVING"
    GREEN_AGRICULTURE = "GREEN_AGRICULTURE"
    SUPPLY_CHAIN_SERVICES = "SUPPLY_CHAIN_SERVICES"


class ApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WAITLISTED = "WAITLISTED"
    CONTRACTED = "CONTRACTED"
    CONFIRMED = "CONFIRMED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str | None = None


class DomainError(CommandRejected):
    """A command that the rules refuse. `code` is what callers see."""


class ApplicationAlreadyExists(DomainError):
    code = "DUPLICATE"

    def __init__(self, application_id: UUID) -> None:
        super().__init__(f"an application already exists for this organization: {application_id}")
        self.application_id = application_id


def application_id(edition: str, organization_id: UUID | None, company_name: str) -> UUID:
    key = str(organization_id) if organization_id else " ".join(company_name.lower().split())
    return uuid5(APPLICATION_NAMESPACE, f"{edition}/{key}")


@dataclass
class ExhibitorApplication:
    id: UUID
    status: ApplicationStatus | None = None
    version: int = 0

    @classmethod
    def load(cls, app_id: UUID, history: list[RecordedEvent]) -> "ExhibitorApplication":
        application = cls(app_id)
        for event in history:
            application.apply(event.type, event.data)
            application.version = event.version
        return application

    def apply(self, event_type: str, data: dict[str, Any]) -> None:
        if event_type == "ApplicationSubmitted":
            self.status = ApplicationStatus.SUBMITTED

    def submit(self, command: "SubmitApplication") -> list[NewEvent]:
        if self.status is not None:
            raise ApplicationAlreadyExists(self.id)
        return [
            ApplicationSubmitted(
                application_id=str(self.id),
                edition=command.edition,
                company_name=command.company_name,
                country=command.country,
                supply_chain_areas=[a.value for a in command.supply_chain_areas],
                product_categories=list(command.product_categories),
                contacts=[vars(c) for c in command.contacts],
                organization_id=str(command.organization_id) if command.organization_id else None,
                source_interest_id=(
                    str(command.source_interest_id) if command.source_interest_id else None
                ),
            ).to_new_event()
        ]
