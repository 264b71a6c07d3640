"""The events on pavilion.exhibitors.v1, every published version.

A personal property is the sealed value (`pii:1:…`) or None, as published.
Generated from schemas/events by python -m pavilion_contracts.kit; do not edit."""

from dataclasses import dataclass
from typing import Any

from pavilion_kit.event import Event


@dataclass(frozen=True, kw_only=True)
class ApplicationApprovedV1(Event):
    """The application was approved (from review or the waitlist). Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class ApplicationCancelledV1(Event):
    """The organiser cancelled the application for non-payment. Stream: the application."""

    application_id: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class ApplicationRejectedV1(Event):
    """The application was rejected. Stream: the application."""

    application_id: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class ApplicationSubmittedV1(Event):
    """An organization applied to exhibit at an edition. Stream: the application."""

    application_id: str
    edition: str
    company_name: str
    country: str
    supply_chain_areas: list[str]
    product_categories: list[str]
    contacts: list[dict[str, Any]]
    organization_id: str | None
    source_interest_id: str | None
    previous_editions: int
    booth_size_sqm: int | None


@dataclass(frozen=True, kw_only=True)
class ApplicationSubmittedV2(Event):
    """An organization applied to exhibit at an edition. Stream: the application. v2 adds the
    company's postal address and each contact person's preferred language; a v1 reads as a v2
    whose address holds only the country and whose contacts' language is null.
    """

    application_id: str
    edition: str
    company_name: str
    country: str
    address: dict[str, Any]
    supply_chain_areas: list[str]
    product_categories: list[str]
    contacts: list[dict[str, Any]]
    organization_id: str | None
    source_interest_id: str | None
    previous_editions: int
    booth_size_sqm: int | None


@dataclass(frozen=True, kw_only=True)
class ApplicationWaitlistedV1(Event):
    """The application waits for space. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class ApplicationWithdrawnV1(Event):
    """The applicant withdrew. Stream: the application."""

    application_id: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class BoothAllocatedV1(Event):
    """A booth was allocated to an application; never to two at once. Stream: the hall's floor
    plan (floorplan:<edition>:<hall>).
    """

    application_id: str
    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True, kw_only=True)
class BoothAssignedV1(Event):
    """The application got its booth. Stream: the application."""

    application_id: str
    edition: str
    hall: str
    booth_code: str
    size_sqm: int


@dataclass(frozen=True, kw_only=True)
class BoothDefinedV1(Event):
    """A booth was added to a hall's floor plan. Stream: the hall's floor plan
    (floorplan:<edition>:<hall>).
    """

    edition: str
    hall: str
    booth_code: str
    size_sqm: int
    supply_chain_area: str


@dataclass(frozen=True, kw_only=True)
class BoothOfferedV1(Event):
    """A released booth was offered to (and is held for) the first application on the waitlist.
    Recorded on the application and on the floor plan alike. Stream: the application, and the
    hall's floor plan (floorplan:<edition>:<hall>).
    """

    application_id: str
    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True, kw_only=True)
class BoothReleasedV1(Event):
    """A booth was given back (withdrawal, cancellation, rejection of an offeree, or another
    booth taken). Recorded on the application and on the floor plan alike. Stream: the
    application, and the hall's floor plan (floorplan:<edition>:<hall>).
    """

    application_id: str
    edition: str
    hall: str
    booth_code: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class BoothRetiredV1(Event):
    """A booth defined by mistake was taken off a hall's floor plan; it was neither allocated
    nor offered. Its code may be defined again. Stream: the hall's floor plan
    (floorplan:<edition>:<hall>).
    """

    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True, kw_only=True)
class ContractIssuedV1(Event):
    """A contract was issued to the applicant. Stream: the application."""

    application_id: str
    amount: int
    currency: str
    due_date: str


@dataclass(frozen=True, kw_only=True)
class ContractSignedV1(Event):
    """The applicant signed the contract. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class ConversionRefusedV1(Event):
    """An outreach interest's conversion asked for an application this service refused; outreach
    compensates (the interest is QUALIFIED again). Stream: conversion:<interestId>.
    """

    interest_id: str
    interest_version: int
    code: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class EditionApplicationsClosedV1(Event):
    """The edition's applications were closed: none taken from applicationsCloseAt (when they
    were closed) on. Stream: the edition (edition:<code>).
    """

    edition: str
    applications_close_at: str
    applications_open_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class EditionApplicationsOpenedV1(Event):
    """The edition's applications were opened: taken from now (applicationsOpenAt) until
    applicationsCloseAt. Stream: the edition (edition:<code>).
    """

    edition: str
    applications_open_at: str
    applications_close_at: str


@dataclass(frozen=True, kw_only=True)
class EditionCreatedV1(Event):
    """An edition of the expo was created. Stream: the edition (edition:<code>)."""

    edition: str
    name: str
    city: str
    country: str
    starts_on: str
    ends_on: str
    timezone: str
    currency: str
    supply_chain_areas: list[str]
    deposit_threshold_pct: int
    opens_at: str
    applications_close_at: str
    applications_open_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class EditionFloorPlanCopiedV1(Event):
    """The halls and booths of an earlier edition were copied into the edition: each booth new
    to it is a BoothDefined on its hall's floor plan, appended with this event. Stream: the
    edition (edition:<code>).
    """

    edition: str
    from_edition: str
    halls: list[str]
    booths: int


@dataclass(frozen=True, kw_only=True)
class ExhibitorContactAddedV1(Event):
    """A contact person was added. Stream: the application."""

    application_id: str
    name: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True, kw_only=True)
class ExhibitorContactForgottenV1(Event):
    """A contact person of the application was forgotten (GDPR art. 17): their key is destroyed,
    so their personal data in earlier events reads as null; every copy of it must be erased and
    they are no longer a contact. They are named without their address by their appearances:
    entry n (from 1) of the application's contact entries, counted over its stream
    (ApplicationSubmitted's contacts in order, then each ExhibitorContactAdded). Stream: the
    application (its id).
    """

    application_id: str
    appearances: list[int]


@dataclass(frozen=True, kw_only=True)
class ExhibitorContactRemovedV1(Event):
    """A contact person was removed. Stream: the application."""

    application_id: str
    email: str | None


@dataclass(frozen=True, kw_only=True)
class ExhibitorProfileUpdatedV1(Event):
    """The exhibitor's profile as it now stands. Stream: the application."""

    application_id: str
    company_name: str
    country: str
    website: str | None
    description: str | None


@dataclass(frozen=True, kw_only=True)
class ParticipationConfirmedV1(Event):
    """Fully paid, booth assigned: the exhibitor is confirmed. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class PaymentRecordedV1(Event):
    """A payment against the contract was recorded. Stream: the application."""

    application_id: str
    amount: int
    currency: str
    reference: str | None
    paid_total: int


@dataclass(frozen=True, kw_only=True)
class ProductCategoriesSetV1(Event):
    """The exhibitor's product categories, replaced. Stream: the application."""

    application_id: str
    product_categories: list[str]


@dataclass(frozen=True, kw_only=True)
class RebookingAcceptedV1(Event):
    """The offer was accepted before its deadline: it became an approved application to the
    edition (ApplicationSubmitted and ApplicationApproved on that application's stream), which
    is offered the booth held. Stream: the offer.
    """

    offer_id: str
    edition: str
    application_id: str


@dataclass(frozen=True, kw_only=True)
class RebookingDeclinedV1(Event):
    """The exhibitor declined the offer: the booth held is released and offered to the edition's
    waitlist. Stream: the offer.
    """

    offer_id: str
    edition: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class RebookingExpiredV1(Event):
    """The offer's deadline passed unanswered (the exhibitors service's sweep): the booth held
    is released and offered to the edition's waitlist. Stream: the offer.
    """

    offer_id: str
    edition: str


@dataclass(frozen=True, kw_only=True)
class RebookingOfferedV1(Event):
    """An exhibitor confirmed at an earlier edition was offered a place at a later one:
    pre-filled from its application there, its previous booth held until the deadline when it
    was free. Stream: the offer (its id, uuid5 of the target edition and the previous
    application); the booth held is recorded on the hall's floor plan as BoothOffered to the
    offer's id.
    """

    offer_id: str
    edition: str
    edition_name: str
    from_edition: str
    previous_application_id: str
    organization_id: str | None
    company_name: str
    country: str
    address: dict[str, Any]
    supply_chain_areas: list[str]
    product_categories: list[str]
    contacts: list[dict[str, Any]]
    previous_editions: int
    booth_size_sqm: int | None
    held_hall: str | None
    held_booth_code: str | None
    deadline: str


@dataclass(frozen=True, kw_only=True)
class ReviewStartedV1(Event):
    """The organiser started reviewing the application. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class SupplyChainAreasSetV1(Event):
    """The exhibitor's supply-chain areas, replaced. Stream: the application."""

    application_id: str
    supply_chain_areas: list[str]


@dataclass(frozen=True, kw_only=True)
class WaitlistEntryAddedV1(Event):
    """An application joined the edition's waitlist. Stream: the edition's waitlist
    (waitlist:<edition>).
    """

    application_id: str
    edition: str
    previous_editions: int
    booth_size_sqm: int | None


@dataclass(frozen=True, kw_only=True)
class WaitlistEntryRemovedV1(Event):
    """An application left the waitlist queue. Stream: the edition's waitlist
    (waitlist:<edition>).
    """

    application_id: str
    edition: str
    reason: str


EVENTS: dict[str, type[Event]] = {
    "pavilion.exhibitors.ApplicationApproved.v1": ApplicationApprovedV1,
    "pavilion.exhibitors.ApplicationCancelled.v1": ApplicationCancelledV1,
    "pavilion.exhibitors.ApplicationRejected.v1": ApplicationRejectedV1,
    "pavilion.exhibitors.ApplicationSubmitted.v1": ApplicationSubmittedV1,
    "pavilion.exhibitors.ApplicationSubmitted.v2": ApplicationSubmittedV2,
    "pavilion.exhibitors.ApplicationWaitlisted.v1": ApplicationWaitlistedV1,
    "pavilion.exhibitors.ApplicationWithdrawn.v1": ApplicationWithdrawnV1,
    "pavilion.exhibitors.BoothAllocated.v1": BoothAllocatedV1,
    "pavilion.exhibitors.BoothAssigned.v1": BoothAssignedV1,
    "pavilion.exhibitors.BoothDefined.v1": BoothDefinedV1,
    "pavilion.exhibitors.BoothOffered.v1": BoothOfferedV1,
    "pavilion.exhibitors.BoothReleased.v1": BoothReleasedV1,
    "pavilion.exhibitors.BoothRetired.v1": BoothRetiredV1,
    "pavilion.exhibitors.ContractIssued.v1": ContractIssuedV1,
    "pavilion.exhibitors.ContractSigned.v1": ContractSignedV1,
    "pavilion.exhibitors.ConversionRefused.v1": ConversionRefusedV1,
    "pavilion.exhibitors.EditionApplicationsClosed.v1": EditionApplicationsClosedV1,
    "pavilion.exhibitors.EditionApplicationsOpened.v1": EditionApplicationsOpenedV1,
    "pavilion.exhibitors.EditionCreated.v1": EditionCreatedV1,
    "pavilion.exhibitors.EditionFloorPlanCopied.v1": EditionFloorPlanCopiedV1,
    "pavilion.exhibitors.ExhibitorContactAdded.v1": ExhibitorContactAddedV1,
    "pavilion.exhibitors.ExhibitorContactForgotten.v1": ExhibitorContactForgottenV1,
    "pavilion.exhibitors.ExhibitorContactRemoved.v1": ExhibitorContactRemovedV1,
    "pavilion.exhibitors.ExhibitorProfileUpdated.v1": ExhibitorProfileUpdatedV1,
    "pavilion.exhibitors.ParticipationConfirmed.v1": ParticipationConfirmedV1,
    "pavilion.exhibitors.PaymentRecorded.v1": PaymentRecordedV1,
    "pavilion.exhibitors.ProductCategoriesSet.v1": ProductCategoriesSetV1,
    "pavilion.exhibitors.RebookingAccepted.v1": RebookingAcceptedV1,
    "pavilion.exhibitors.RebookingDeclined.v1": RebookingDeclinedV1,
    "pavilion.exhibitors.RebookingExpired.v1": RebookingExpiredV1,
    "pavilion.exhibitors.RebookingOffered.v1": RebookingOfferedV1,
    "pavilion.exhibitors.ReviewStarted.v1": ReviewStartedV1,
    "pavilion.exhibitors.SupplyChainAreasSet.v1": SupplyChainAreasSetV1,
    "pavilion.exhibitors.WaitlistEntryAdded.v1": WaitlistEntryAddedV1,
    "pavilion.exhibitors.WaitlistEntryRemoved.v1": WaitlistEntryRemovedV1,
}
