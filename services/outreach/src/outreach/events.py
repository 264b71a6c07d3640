"""Events the outreach service records, past tense, as they go on the topic.

Payload keys are camelCase; ids are UUID strings; instants ISO 8601 UTC; dates ISO.
Streams: each organization, contact, delegation, trip, outreach event, interest and
follow-up is the stream named by its id (a UUID); contact-email:<keyed hash of the
email> keeps an address unique.

Free text that may speak of a contact (a note, a follow-up's note or outcome, an
interest's loss or refusal reason) carries `contactId`, the contact it is about (null
when none): the text is theirs, sealed with their key, and goes when they are forgotten.
"""

from dataclasses import dataclass
from typing import Any

from pavilion_core.aggregate import Event

# Organization


@dataclass(frozen=True)
class OrganizationRegistered(Event):
    organization_id: str
    name: str
    kind: str
    country: str
    website: str | None


@dataclass(frozen=True)
class OrganizationUpdated(Event):
    organization_id: str
    name: str
    kind: str
    country: str
    website: str | None


@dataclass(frozen=True)
class OrganizationMerged(Event):
    """On the merged organization: it now redirects to the survivor."""

    organization_id: str
    merged_into: str


@dataclass(frozen=True)
class OrganizationAbsorbed(Event):
    """On the survivor: it now carries the merged organization's history."""

    organization_id: str
    merged_id: str


# Contact


@dataclass(frozen=True)
class ContactRegistered(Event):
    contact_id: str
    name: str
    title: str | None
    email: str
    phone: str | None
    country: str
    language: str
    organization_id: str | None


@dataclass(frozen=True)
class ContactUpdated(Event):
    contact_id: str
    name: str
    title: str | None
    email: str
    phone: str | None
    country: str
    language: str


@dataclass(frozen=True)
class ContactLinkedToOrganization(Event):
    contact_id: str
    organization_id: str


@dataclass(frozen=True)
class ContactMerged(Event):
    contact_id: str
    merged_into: str


@dataclass(frozen=True)
class ContactAbsorbed(Event):
    contact_id: str
    merged_id: str


@dataclass(frozen=True)
class ContactForgotten(Event):
    """The person asked to be forgotten: their key is destroyed, every copy of their
    personal data is to be erased, and nothing more is recorded about them. Their
    address may be a contact person's of exhibitor applications: those, and the keyed
    hash of the address (pavilion_core.vault.pseudonym), let exhibitors forget it too."""

    contact_id: str
    application_ids: list[str]
    address_pseudonyms: list[str]


@dataclass(frozen=True)
class ContactEmailClaimed(Event):
    """On contact-email:<keyed hash of the email>: which contact the address belongs to."""

    email: str
    contact_id: str


@dataclass(frozen=True)
class ContactEmailReleased(Event):
    email: str
    contact_id: str


@dataclass(frozen=True)
class ConsentGranted(Event):
    contact_id: str
    channel: str
    purpose: str
    legal_basis: str
    evidence: str
    granted_at: str
    expires_at: str | None


@dataclass(frozen=True)
class ConsentWithdrawn(Event):
    contact_id: str
    channel: str
    purpose: str
    reason: str
    withdrawn_at: str


# Delegation and trip


@dataclass(frozen=True)
class DelegationFormed(Event):
    delegation_id: str
    name: str
    organizer: str
    leader_id: str
    purpose: str


@dataclass(frozen=True)
class DelegationMemberAdded(Event):
    delegation_id: str
    contact_id: str


@dataclass(frozen=True)
class DelegationMemberRemoved(Event):
    delegation_id: str
    contact_id: str


@dataclass(frozen=True)
class TripPlanned(Event):
    trip_id: str
    delegation_id: str
    name: str
    stops: list[dict[str, Any]]  # {city, country, startsOn, endsOn, timeZone}


@dataclass(frozen=True)
class TripStopAdded(Event):
    trip_id: str
    index: int
    city: str
    country: str
    starts_on: str
    ends_on: str
    time_zone: str | None = None  # IANA; None (older events): UTC


@dataclass(frozen=True)
class TripStopRescheduled(Event):
    trip_id: str
    index: int
    starts_on: str
    ends_on: str


@dataclass(frozen=True)
class TripStarted(Event):
    trip_id: str


@dataclass(frozen=True)
class TripCompleted(Event):
    trip_id: str


@dataclass(frozen=True)
class TripCancelled(Event):
    trip_id: str
    reason: str


# Outreach event


@dataclass(frozen=True)
class OutreachEventScheduled(Event):
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
    time_zone: str | None = None  # the stop's (IANA); None (older events): UTC


@dataclass(frozen=True)
class OutreachEventRescheduled(Event):
    event_id: str
    starts_at: str
    ends_at: str


@dataclass(frozen=True)
class OutreachEventHeld(Event):
    event_id: str


@dataclass(frozen=True)
class OutreachEventCancelled(Event):
    event_id: str
    reason: str


@dataclass(frozen=True)
class ContactInvited(Event):
    event_id: str
    contact_id: str
    # the contact at its stream's version then, and its valid email marketing consent
    invitee: dict[str, Any] | None = None


@dataclass(frozen=True)
class RsvpAccepted(Event):
    event_id: str
    contact_id: str


@dataclass(frozen=True)
class RsvpDeclined(Event):
    event_id: str
    contact_id: str


@dataclass(frozen=True)
class AttendanceRecorded(Event):
    event_id: str
    contact_id: str


@dataclass(frozen=True)
class NoShowRecorded(Event):
    event_id: str
    contact_id: str


# Interest


@dataclass(frozen=True)
class InterestCaptured(Event):
    interest_id: str
    contact_id: str
    organization_id: str
    source_event_id: str | None
    kind: str
    edition: str
    supply_chain_areas: list[str]
    product_categories: list[str]


@dataclass(frozen=True)
class InterestQualified(Event):
    interest_id: str


@dataclass(frozen=True)
class InterestNurturingStarted(Event):
    interest_id: str


@dataclass(frozen=True)
class InterestOwnerAssigned(Event):
    interest_id: str
    owner: str


@dataclass(frozen=True)
class InterestConverted(Event):
    """For kind EXHIBIT, what exhibitors needs to pre-fill an application."""

    interest_id: str
    kind: str
    edition: str
    organization_id: str
    organization_name: str
    country: str
    supply_chain_areas: list[str]
    product_categories: list[str]
    contact: dict[str, Any]  # {contactId, name, email, phone}
    source_event_id: str | None
    application_id: str | None


@dataclass(frozen=True)
class InterestLost(Event):
    interest_id: str
    reason: str
    contact_id: str | None


@dataclass(frozen=True)
class InterestApplicationLinked(Event):
    interest_id: str
    application_id: str


@dataclass(frozen=True)
class InterestConversionRefused(Event):
    """exhibitors refused the application the conversion asked for (its error code and
    reason): the interest is QUALIFIED again."""

    interest_id: str
    code: str
    reason: str
    contact_id: str | None


# Follow-up


@dataclass(frozen=True)
class FollowUpScheduled(Event):
    follow_up_id: str
    subject_id: str
    owner: str
    due_at: str
    note: str | None
    contact_id: str | None


@dataclass(frozen=True)
class FollowUpRescheduled(Event):
    follow_up_id: str
    due_at: str


@dataclass(frozen=True)
class FollowUpCompleted(Event):
    follow_up_id: str
    outcome: str
    contact_id: str | None


@dataclass(frozen=True)
class FollowUpCancelled(Event):
    follow_up_id: str
    reason: str
    contact_id: str | None


@dataclass(frozen=True)
class FollowUpBecameOverdue(Event):
    follow_up_id: str
    subject_id: str
    owner: str
    due_at: str


# Notes, on an organization, contact, outreach event or interest


@dataclass(frozen=True)
class NoteAdded(Event):
    note_id: str
    subject_id: str
    text: str
    contact_id: str | None
