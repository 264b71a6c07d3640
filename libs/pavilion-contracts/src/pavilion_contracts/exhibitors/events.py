"""The exhibitors service's events, each at its latest version: generated from
schemas/events by python -m pavilion_contracts.events; do not edit."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pavilion_core.aggregate import Event


@dataclass(frozen=True, kw_only=True)
class ApplicationApproved(Event):
    """The application was approved (from review or the waitlist). Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class ApplicationCancelled(Event):
    """The organiser cancelled the application for non-payment. Stream: the application."""

    application_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ApplicationRejected(Event):
    """The application was rejected. Stream: the application."""

    application_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class ApplicationSubmitted(Event):
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
class ApplicationWaitlisted(Event):
    """The application waits for space. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class ApplicationWithdrawn(Event):
    """The applicant withdrew. Stream: the application."""

    application_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class BoothAllocated(Event):
    """A booth was allocated to an application; never to two at once. Stream: the hall's floor
    plan (floorplan:<edition>:<hall>).
    """

    application_id: str
    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True, kw_only=True)
class BoothAssigned(Event):
    """The application got its booth. Stream: the application."""

    application_id: str
    edition: str
    hall: str
    booth_code: str
    size_sqm: int


@dataclass(frozen=True, kw_only=True)
class BoothDefined(Event):
    """A booth was added to a hall's floor plan. Stream: the hall's floor plan
    (floorplan:<edition>:<hall>).
    """

    edition: str
    hall: str
    booth_code: str
    size_sqm: int
    supply_chain_area: str


@dataclass(frozen=True, kw_only=True)
class BoothOffered(Event):
    """A released booth was offered to (and is held for) the first application on the waitlist.
    Recorded on the application and on the floor plan alike. Stream: the application, and the
    hall's floor plan (floorplan:<edition>:<hall>).
    """

    application_id: str
    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True, kw_only=True)
class BoothReleased(Event):
    """A booth was given back (withdrawal, cancellation, rejection of an offeree, or another
    booth taken). Recorded on the application and on the floor plan alike. Stream: the
    application, and the hall's floor plan (floorplan:<edition>:<hall>).
    """

    application_id: str
    edition: str
    hall: str
    booth_code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class BoothRetired(Event):
    """A booth defined by mistake was taken off a hall's floor plan; it was neither allocated
    nor offered. Its code may be defined again. Stream: the hall's floor plan
    (floorplan:<edition>:<hall>).
    """

    edition: str
    hall: str
    booth_code: str


@dataclass(frozen=True, kw_only=True)
class ContractIssued(Event):
    """A contract was issued to the applicant. Stream: the application."""

    application_id: str
    amount: int
    currency: str
    due_date: str


@dataclass(frozen=True, kw_only=True)
class ContractSigned(Event):
    """The applicant signed the contract. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class ConversionRefused(Event):
    """An outreach interest's conversion asked for an application this service refused; outreach
    compensates (the interest is QUALIFIED again). Stream: conversion:<interestId>.
    """

    interest_id: str
    interest_version: int
    code: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class EditionApplicationsClosed(Event):
    """The edition's applications were closed: none taken from applicationsCloseAt (when they
    were closed) on. Stream: the edition (edition:<code>).
    """

    edition: str
    applications_close_at: str
    applications_open_at: str | None = None


@dataclass(frozen=True, kw_only=True)
class EditionApplicationsOpened(Event):
    """The edition's applications were opened: taken from now (applicationsOpenAt) until
    applicationsCloseAt. Stream: the edition (edition:<code>).
    """

    edition: str
    applications_open_at: str
    applications_close_at: str


@dataclass(frozen=True, kw_only=True)
class EditionCreated(Event):
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
class EditionFloorPlanCopied(Event):
    """The halls and booths of an earlier edition were copied into the edition: each booth new
    to it is a BoothDefined on its hall's floor plan, appended with this event. Stream: the
    edition (edition:<code>).
    """

    edition: str
    from_edition: str
    halls: list[str]
    booths: int


@dataclass(frozen=True, kw_only=True)
class ExhibitorContactAdded(Event):
    """A contact person was added. Stream: the application."""

    application_id: str
    name: str
    email: str
    phone: str | None


@dataclass(frozen=True, kw_only=True)
class ExhibitorContactForgotten(Event):
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
class ExhibitorContactRemoved(Event):
    """A contact person was removed. Stream: the application."""

    application_id: str
    email: str


@dataclass(frozen=True, kw_only=True)
class ExhibitorProfileUpdated(Event):
    """The exhibitor's profile as it now stands. Stream: the application."""

    application_id: str
    company_name: str
    country: str
    website: str | None
    description: str | None


@dataclass(frozen=True, kw_only=True)
class ParticipationConfirmed(Event):
    """Fully paid, booth assigned: the exhibitor is confirmed. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class PaymentRecorded(Event):
    """A payment against the contract was recorded. Stream: the application."""

    application_id: str
    amount: int
    currency: str
    reference: str
    paid_total: int


@dataclass(frozen=True, kw_only=True)
class ProductCategoriesSet(Event):
    """The exhibitor's product categories, replaced. Stream: the application."""

    application_id: str
    product_categories: list[str]


@dataclass(frozen=True, kw_only=True)
class RebookingAccepted(Event):
    """The offer was accepted before its deadline: it became an approved application to the
    edition (ApplicationSubmitted and ApplicationApproved on that application's stream), which
    is offered the booth held. Stream: the offer.
    """

    offer_id: str
    edition: str
    application_id: str


@dataclass(frozen=True, kw_only=True)
class RebookingDeclined(Event):
    """The exhibitor declined the offer: the booth held is released and offered to the edition's
    waitlist. Stream: the offer.
    """

    offer_id: str
    edition: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RebookingExpired(Event):
    """The offer's deadline passed unanswered (the exhibitors service's sweep): the booth held
    is released and offered to the edition's waitlist. Stream: the offer.
    """

    offer_id: str
    edition: str


@dataclass(frozen=True, kw_only=True)
class RebookingOffered(Event):
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
class ReviewStarted(Event):
    """The organiser started reviewing the application. Stream: the application."""

    application_id: str


@dataclass(frozen=True, kw_only=True)
class SupplyChainAreasSet(Event):
    """The exhibitor's supply-chain areas, replaced. Stream: the application."""

    application_id: str
    supply_chain_areas: list[str]


@dataclass(frozen=True, kw_only=True)
class WaitlistEntryAdded(Event):
    """An application joined the edition's waitlist. Stream: the edition's waitlist
    (waitlist:<edition>).
    """

    application_id: str
    edition: str
    previous_editions: int
    booth_size_sqm: int | None


@dataclass(frozen=True, kw_only=True)
class WaitlistEntryRemoved(Event):
    """An application left the waitlist queue. Stream: the edition's waitlist
    (waitlist:<edition>).
    """

    application_id: str
    edition: str
    reason: str


EVENTS: dict[str, type[Event]] = {
    "ApplicationApproved": ApplicationApproved,
    "ApplicationCancelled": ApplicationCancelled,
    "ApplicationRejected": ApplicationRejected,
    "ApplicationSubmitted": ApplicationSubmitted,
    "ApplicationWaitlisted": ApplicationWaitlisted,
    "ApplicationWithdrawn": ApplicationWithdrawn,
    "BoothAllocated": BoothAllocated,
    "BoothAssigned": BoothAssigned,
    "BoothDefined": BoothDefined,
    "BoothOffered": BoothOffered,
    "BoothReleased": BoothReleased,
    "BoothRetired": BoothRetired,
    "ContractIssued": ContractIssued,
    "ContractSigned": ContractSigned,
    "ConversionRefused": ConversionRefused,
    "EditionApplicationsClosed": EditionApplicationsClosed,
    "EditionApplicationsOpened": EditionApplicationsOpened,
    "EditionCreated": EditionCreated,
    "EditionFloorPlanCopied": EditionFloorPlanCopied,
    "ExhibitorContactAdded": ExhibitorContactAdded,
    "ExhibitorContactForgotten": ExhibitorContactForgotten,
    "ExhibitorContactRemoved": ExhibitorContactRemoved,
    "ExhibitorProfileUpdated": ExhibitorProfileUpdated,
    "ParticipationConfirmed": ParticipationConfirmed,
    "PaymentRecorded": PaymentRecorded,
    "ProductCategoriesSet": ProductCategoriesSet,
    "RebookingAccepted": RebookingAccepted,
    "RebookingDeclined": RebookingDeclined,
    "RebookingExpired": RebookingExpired,
    "RebookingOffered": RebookingOffered,
    "ReviewStarted": ReviewStarted,
    "SupplyChainAreasSet": SupplyChainAreasSet,
    "WaitlistEntryAdded": WaitlistEntryAdded,
    "WaitlistEntryRemoved": WaitlistEntryRemoved,
}


def from_data(event_type: str, data: Mapping[str, Any]) -> Event:
    """The typed event of `event_type` from its (latest-version, unsealed) data."""
    return EVENTS[event_type].from_data(data)
