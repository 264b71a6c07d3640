"""The outreach service's events, each at its latest version: generated from
schemas/events by python -m pavilion_contracts.events; do not edit."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pavilion_core.aggregate import Event


@dataclass(frozen=True, kw_only=True)
class AttendanceRecorded(Event):
    """The invitee attended. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ConsentGranted(Event):
    """Consent for a channel and purpose, with its legal basis and evidence; implied consent
    carries its expiry (CASL). Stream: the contact (its id).
    """

    contact_id: str
    channel: str
    purpose: str
    legal_basis: str
    evidence: str
    granted_at: str
    expires_at: str | None


@dataclass(frozen=True, kw_only=True)
class ConsentWithdrawn(Event):
    """Consent for a channel and purpose was withdrawn; it never comes back by itself. Stream:
    the contact (its id).
    """

    contact_id: str
    channel: str
    purpose: str
    reason: str
    withdrawn_at: str


@dataclass(frozen=True, kw_only=True)
class ContactAbsorbed(Event):
    """This contact took over a duplicate's history. Stream: the contact (its id)."""

    contact_id: str
    merged_id: str


@dataclass(frozen=True, kw_only=True)
class ContactEmailClaimed(Event):
    """The address belongs to this contact (addresses are unique). Stream: contact-email:<keyed
    hash of the email>.
    """

    email: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ContactEmailReleased(Event):
    """The address is free again. Stream: contact-email:<keyed hash of the email>."""

    email: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ContactForgotten(Event):
    """The person asked to be forgotten (GDPR art. 17): their key is destroyed, so their
    personal data in earlier events reads as null; every copy of it must be erased, and nothing
    more is recorded about them. Stream: the contact (its id). The applications that named their
    address as a contact person, and the keyed hashes of their address, let exhibitors forget
    them there too (ExhibitorContactForgotten).
    """

    contact_id: str
    application_ids: list[str] | None = None
    address_pseudonyms: list[str] | None = None


@dataclass(frozen=True, kw_only=True)
class ContactInvited(Event):
    """A contact was invited, with the contact as outreach knew it then (invitee: its address,
    name, language and valid email marketing consent, at contactVersion of its stream), so that
    the services that write to it decide on that and need not wait for their own view of the
    contact. Invitations recorded before invitee was added have none. Stream: the outreach event
    (its id).
    """

    event_id: str
    contact_id: str
    invitee: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class ContactLinkedToOrganization(Event):
    """The contact now belongs to an organization. Stream: the contact (its id)."""

    contact_id: str
    organization_id: str


@dataclass(frozen=True, kw_only=True)
class ContactMerged(Event):
    """This contact was a duplicate: it now redirects to the survivor. Stream: the contact (its
    id).
    """

    contact_id: str
    merged_into: str


@dataclass(frozen=True, kw_only=True)
class ContactRegistered(Event):
    """A person was registered. Stream: the contact (its id)."""

    contact_id: str
    name: str
    title: str | None
    email: str
    phone: str | None
    country: str
    language: str
    organization_id: str | None


@dataclass(frozen=True, kw_only=True)
class ContactUpdated(Event):
    """The contact's details as they now stand. Stream: the contact (its id)."""

    contact_id: str
    name: str
    title: str | None
    email: str
    phone: str | None
    country: str
    language: str


@dataclass(frozen=True, kw_only=True)
class DelegationFormed(Event):
    """A delegation of business leaders was formed. Stream: the delegation (its id)."""

    delegation_id: str
    name: str
    organizer: str
    leader_id: str
    purpose: str


@dataclass(frozen=True, kw_only=True)
class DelegationMemberAdded(Event):
    """A contact joined the delegation. Stream: the delegation (its id)."""

    delegation_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class DelegationMemberRemoved(Event):
    """A contact left the delegation. Stream: the delegation (its id)."""

    delegation_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class FollowUpBecameOverdue(Event):
    """The follow-up passed its due time without being done (announced once per due time).
    Stream: the follow-up (its id).
    """

    follow_up_id: str
    subject_id: str
    owner: str
    due_at: str


@dataclass(frozen=True, kw_only=True)
class FollowUpCancelled(Event):
    """The follow-up was cancelled. Stream: the follow-up (its id)."""

    follow_up_id: str
    reason: str
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class FollowUpCompleted(Event):
    """The follow-up was done, with its outcome. Stream: the follow-up (its id)."""

    follow_up_id: str
    outcome: str
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class FollowUpRescheduled(Event):
    """The follow-up's due time changed. Stream: the follow-up (its id)."""

    follow_up_id: str
    due_at: str


@dataclass(frozen=True, kw_only=True)
class FollowUpScheduled(Event):
    """A follow-up task on an interest or contact. Stream: the follow-up (its id)."""

    follow_up_id: str
    subject_id: str
    owner: str
    due_at: str
    note: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InterestApplicationLinked(Event):
    """An exhibitor application named this (already converted or lost) interest. Stream: the
    interest (its id).
    """

    interest_id: str
    application_id: str


@dataclass(frozen=True, kw_only=True)
class InterestCaptured(Event):
    """A contact showed interest in exhibiting, visiting or partnering. Stream: the interest
    (its id).
    """

    interest_id: str
    contact_id: str
    organization_id: str
    source_event_id: str | None
    kind: str
    edition: str
    supply_chain_areas: list[str]
    product_categories: list[str]


@dataclass(frozen=True, kw_only=True)
class InterestConversionRefused(Event):
    """exhibitors refused the application the interest's conversion asked for: the interest is
    QUALIFIED again. Stream: the interest (its id).
    """

    interest_id: str
    code: str
    reason: str
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InterestConverted(Event):
    """An interest (lead) converted. It carries what the exhibitors service needs to start a
    pre-filled application that names the interest. Stream: the interest.
    """

    interest_id: str
    kind: str
    edition: str
    organization_id: str
    organization_name: str
    country: str
    supply_chain_areas: list[str]
    product_categories: list[str]
    contact: dict[str, Any]
    source_event_id: str | None
    application_id: str | None


@dataclass(frozen=True, kw_only=True)
class InterestLost(Event):
    """The interest was lost. Stream: the interest (its id)."""

    interest_id: str
    reason: str
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InterestNurturingStarted(Event):
    """Staff are nurturing the interest. Stream: the interest (its id)."""

    interest_id: str


@dataclass(frozen=True, kw_only=True)
class InterestOwnerAssigned(Event):
    """A staff member owns the interest. Stream: the interest (its id)."""

    interest_id: str
    owner: str


@dataclass(frozen=True, kw_only=True)
class InterestQualified(Event):
    """The interest was qualified. Stream: the interest (its id)."""

    interest_id: str


@dataclass(frozen=True, kw_only=True)
class NoShowRecorded(Event):
    """The invitee accepted but did not come. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class NoteAdded(Event):
    """A note on an organization, contact, outreach event or interest. Stream: the subject's
    stream.
    """

    note_id: str
    subject_id: str
    text: str
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrganizationAbsorbed(Event):
    """This organization took over a duplicate's history. Stream: the organization (its id)."""

    organization_id: str
    merged_id: str


@dataclass(frozen=True, kw_only=True)
class OrganizationMerged(Event):
    """This organization was a duplicate: it now redirects to the survivor. Stream: the
    organization (its id).
    """

    organization_id: str
    merged_into: str


@dataclass(frozen=True, kw_only=True)
class OrganizationRegistered(Event):
    """An organization (company, government body, chamber, association, institution) was
    registered. Stream: the organization (its id).
    """

    organization_id: str
    name: str
    kind: str
    country: str
    website: str | None


@dataclass(frozen=True, kw_only=True)
class OrganizationUpdated(Event):
    """The organization's details as they now stand. Stream: the organization (its id)."""

    organization_id: str
    name: str
    kind: str
    country: str
    website: str | None


@dataclass(frozen=True, kw_only=True)
class OutreachEventCancelled(Event):
    """The event was cancelled. Stream: the outreach event (its id)."""

    event_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class OutreachEventHeld(Event):
    """The event took place. Stream: the outreach event (its id)."""

    event_id: str


@dataclass(frozen=True, kw_only=True)
class OutreachEventRescheduled(Event):
    """The event moved (within its stop's dates); invitations and answers stand. Stream: the
    outreach event (its id).
    """

    event_id: str
    starts_at: str
    ends_at: str


@dataclass(frozen=True, kw_only=True)
class OutreachEventScheduled(Event):
    """A forum, presentation, breakfast, speech or meeting at a trip's stop. Stream: the
    outreach event (its id).
    """

    event_id: str
    trip_id: str
    stop_index: int
    name: str
    kind: str
    city: str
    country: str
    venue: str | None
    starts_at: str
    ends_at: str
    capacity: int | None
    time_zone: str | None = None


@dataclass(frozen=True, kw_only=True)
class RsvpAccepted(Event):
    """The invitee accepted. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class RsvpDeclined(Event):
    """The invitee declined. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class TripCancelled(Event):
    """The trip was cancelled. Stream: the trip (its id)."""

    trip_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class TripCompleted(Event):
    """The trip is over. Stream: the trip (its id)."""

    trip_id: str


@dataclass(frozen=True, kw_only=True)
class TripPlanned(Event):
    """A delegation's trip was planned with its itinerary. Stream: the trip (its id)."""

    trip_id: str
    delegation_id: str
    name: str
    stops: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class TripStarted(Event):
    """The trip is under way. Stream: the trip (its id)."""

    trip_id: str


@dataclass(frozen=True, kw_only=True)
class TripStopAdded(Event):
    """A stop was added to the itinerary. Stream: the trip (its id)."""

    trip_id: str
    index: int
    city: str
    country: str
    starts_on: str
    ends_on: str
    time_zone: str | None = None


@dataclass(frozen=True, kw_only=True)
class TripStopRescheduled(Event):
    """A stop's dates changed. Stream: the trip (its id)."""

    trip_id: str
    index: int
    starts_on: str
    ends_on: str


EVENTS: dict[str, type[Event]] = {
    "AttendanceRecorded": AttendanceRecorded,
    "ConsentGranted": ConsentGranted,
    "ConsentWithdrawn": ConsentWithdrawn,
    "ContactAbsorbed": ContactAbsorbed,
    "ContactEmailClaimed": ContactEmailClaimed,
    "ContactEmailReleased": ContactEmailReleased,
    "ContactForgotten": ContactForgotten,
    "ContactInvited": ContactInvited,
    "ContactLinkedToOrganization": ContactLinkedToOrganization,
    "ContactMerged": ContactMerged,
    "ContactRegistered": ContactRegistered,
    "ContactUpdated": ContactUpdated,
    "DelegationFormed": DelegationFormed,
    "DelegationMemberAdded": DelegationMemberAdded,
    "DelegationMemberRemoved": DelegationMemberRemoved,
    "FollowUpBecameOverdue": FollowUpBecameOverdue,
    "FollowUpCancelled": FollowUpCancelled,
    "FollowUpCompleted": FollowUpCompleted,
    "FollowUpRescheduled": FollowUpRescheduled,
    "FollowUpScheduled": FollowUpScheduled,
    "InterestApplicationLinked": InterestApplicationLinked,
    "InterestCaptured": InterestCaptured,
    "InterestConversionRefused": InterestConversionRefused,
    "InterestConverted": InterestConverted,
    "InterestLost": InterestLost,
    "InterestNurturingStarted": InterestNurturingStarted,
    "InterestOwnerAssigned": InterestOwnerAssigned,
    "InterestQualified": InterestQualified,
    "NoShowRecorded": NoShowRecorded,
    "NoteAdded": NoteAdded,
    "OrganizationAbsorbed": OrganizationAbsorbed,
    "OrganizationMerged": OrganizationMerged,
    "OrganizationRegistered": OrganizationRegistered,
    "OrganizationUpdated": OrganizationUpdated,
    "OutreachEventCancelled": OutreachEventCancelled,
    "OutreachEventHeld": OutreachEventHeld,
    "OutreachEventRescheduled": OutreachEventRescheduled,
    "OutreachEventScheduled": OutreachEventScheduled,
    "RsvpAccepted": RsvpAccepted,
    "RsvpDeclined": RsvpDeclined,
    "TripCancelled": TripCancelled,
    "TripCompleted": TripCompleted,
    "TripPlanned": TripPlanned,
    "TripStarted": TripStarted,
    "TripStopAdded": TripStopAdded,
    "TripStopRescheduled": TripStopRescheduled,
}


def from_data(event_type: str, data: Mapping[str, Any]) -> Event:
    """The typed event of `event_type` from its (latest-version, unsealed) data."""
    return EVENTS[event_type].from_data(data)
