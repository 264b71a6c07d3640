"""Events the exhibitors service records, past tense, as they go on the topic.

Payload keys are camelCase, like the public API; amounts are minor units of the
contract's currency; dates are ISO 8601 strings.
"""

from dataclasses import dataclass
from typing import Any

from pavilion_core.aggregate import Event

# ExhibitorApplication: stream = the application id


@dataclass(frozen=True)
class ApplicationSubmitted(Event):
    application_id: str
    edition: str
    company_name: str
    country: str
    address: dict[str, Any]  # v2: streetLines, city, postalCode, region, country
    supply_chain_areas: list[str]
    product_categories: list[str]
    contacts: list[dict[str, Any]]  # v2: each with its language
    organization_id: str | None
    source_interest_id: str | None
    previous_editions: int
    booth_size_sqm: int | None


@dataclass(frozen=True)
class ReviewStarted(Event):
    application_id: str


@dataclass(frozen=True)
class ApplicationApproved(Event):
    application_id: str


@dataclass(frozen=True)
class ApplicationRejected(Event):
    application_id: str
    reason: str


@dataclass(frozen=True)
class ApplicationWaitlisted(Event):
    application_id: str


@dataclass(frozen=True)
class ContractIssued(Event):
    application_id: str
    amount: int
    currency: str
    due_date: str


@dataclass(frozen=True)
class ContractSigned(Event):
    application_id: str


@dataclass(frozen=True)
class PaymentRecorded(Event):
    application_id: str
    amount: int
    currency: str
    reference: str
    paid_total: int


@dataclass(frozen=True)
class BoothAssigned(Event):
    application_id: str
    edition: str
    hall: str
    booth_code: str
    size_sqm: int


@dataclass(frozen=True)
class ParticipationConfirmed(Event):
    application_id: str


@dataclass(frozen=True)
class ApplicationWithdrawn(Event):
    application_id: str
    reason: str


@dataclass(frozen=True)
class ApplicationCancelled(Event):
    application_id: str
    reason: str


@dataclass(frozen=True)
class ExhibitorProfileUpdated(Event):
    application_id: str
    company_name: str
    country: str
    website: str | None
    description: str | None


@dataclass(frozen=True)
class ExhibitorContactAdded(Event):
    application_id: str
    name: str
    email: str
    phone: str | None


@dataclass(frozen=True)
class ExhibitorContactRemoved(Event):
    application_id: str
    email: str


@dataclass(frozen=True)
class ExhibitorContactForgotten(Event):
    """A contact person was forgotten (GDPR art. 17), named without their address by
    their appearances: entry n (from 1) of the application's contact entries, which are
    ApplicationSubmitted's contacts in order, then each ExhibitorContactAdded."""

    application_id: str
    appearances: list[int]


@dataclass(frozen=True)
class SupplyChainAreasSet(Event):
    application_id: str
    supply_chain_areas: list[str]


@dataclass(frozen=True)
class ProductCategoriesSet(Event):
    application_id: str
    product_categories: list[str]


# On the application and on the floor plan alike (same payload on both streams)


@dataclass(frozen=True)
class BoothReleased(Event):
    application_id: str
    edition: str
    hall: str
    booth_code: str
    reason: str


@dataclass(frozen=True)
class BoothOffered(Event):
    application_id: str
    edition: str
    hall: str
    booth_code: str


# FloorPlan: stream = floorplan:<edition>:<hall>


@dataclass(frozen=True)
class BoothDefined(Event):
    edition: str
    hall: str
    booth_code: str
    size_sqm: int
    supply_chain_area: str


@dataclass(frozen=True)
class BoothRetired(Event):
    """A booth defined by mistake was taken off the floor plan (it was free)."""

    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True)
class BoothAllocated(Event):
    application_id: str
    edition: str
    hall: str
    booth_code: str


# Waitlist: stream = waitlist:<edition>; the queue of waitlisted applications without an offer


@dataclass(frozen=True)
class WaitlistEntryAdded(Event):
    application_id: str
    edition: str
    previous_editions: int
    booth_size_sqm: int | None


@dataclass(frozen=True)
class WaitlistEntryRemoved(Event):
    application_id: str
    edition: str
    reason: str


# Conversion: stream = conversion:<interestId>; outreach's conversions exhibitors refused


@dataclass(frozen=True)
class ConversionRefused(Event):
    """An interest's conversion (interestVersion: its InterestConverted's version) asked
    for an application this service refused; `code` is the refusal's error code."""

    interest_id: str
    interest_version: int
    code: str
    reason: str
