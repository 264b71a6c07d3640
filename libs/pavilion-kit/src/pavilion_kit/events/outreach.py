"""The events on pavilion.outreach.v1, every published version.

A personal property is the sealed value (`pii:1:…`) or None, as published.
Generated from schemas/events by python -m pavilion_contracts.kit; do not edit."""

from dataclasses import dataclass
from typing import Any

from pavilion_kit.event import Event


@dataclass(frozen=True, kw_only=True)
class AttendanceRecordedV1(Event):
    """The invitee attended. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ConsentGrantedV1(Event):
    """Consent for a channel and purpose, with its legal basis and evidence; implied consent
    carries its expiry (CASL). Stream: the contact (its id).
    """

    contact_id: str
    channel: str
    purpose: str
    legal_basis: str
    evidence: str | None
    granted_at: str
    expires_at: str | None


@dataclass(frozen=True, kw_only=True)
class ConsentWithdrawnV1(Event):
    """Consent for a channel and purpose was withdrawn; it never comes back by itself. Stream:
    the contact (its id).
    """

    contact_id: str
    channel: str
    purpose: str
    reason: str | None
    withdrawn_at: str


@dataclass(frozen=True, kw_only=True)
class ContactAbsorbedV1(Event):
    """This contact took over a duplicate's history. Stream: the contact (its id)."""

    contact_id: str
    merged_id: str


@dataclass(frozen=True, kw_only=True)
class ContactEmailClaimedV1(Event):
    """The address belongs to this contact (addresses are unique). Stream: contact-email:<keyed
    hash of the email>.
    """

    email: str | None
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ContactEmailReleasedV1(Event):
    """The address is free again. Stream: contact-email:<keyed hash of the email>."""

    email: str | None
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class ContactForgottenV1(Event):
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
class ContactInvitedV1(Event):
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
class ContactLinkedToOrganizationV1(Event):
    """The contact now belongs to an organization. Stream: the contact (its id)."""

    contact_id: str
    organization_id: str


@dataclass(frozen=True, kw_only=True)
class ContactMergedV1(Event):
    """This contact was a duplicate: it now redirects to the survivor. Stream: the contact (its
    id).
    """

    contact_id: str
    merged_into: str


@dataclass(frozen=True, kw_only=True)
class ContactRegisteredV1(Event):
    """A person was registered. Stream: the contact (its id)."""

    contact_id: str
    name: str | None
    title: str | None
    email: str | None
    phone: str | None
    country: str
    language: str
    organization_id: str | None


@dataclass(frozen=True, kw_only=True)
class ContactUpdatedV1(Event):
    """The contact's details as they now stand. Stream: the contact (its id)."""

    contact_id: str
    name: str | None
    title: str | None
    email: str | None
    phone: str | None
    country: str
    language: str


@dataclass(frozen=True, kw_only=True)
class DelegationFormedV1(Event):
    """A delegation of business leaders was formed. Stream: the delegation (its id)."""

    delegation_id: str
    name: str
    organizer: str
    leader_id: str
    purpose: str


@dataclass(frozen=True, kw_only=True)
class DelegationMemberAddedV1(Event):
    """A contact joined the delegation. Stream: the delegation (its id)."""

    delegation_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class DelegationMemberRemovedV1(Event):
    """A contact left the delegation. Stream: the delegation (its id)."""

    delegation_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class FollowUpBecameOverdueV1(Event):
    """The follow-up passed its due time without being done (announced once per due time).
    Stream: the follow-up (its id).
    """

    follow_up_id: str
    subject_id: str
    owner: str | None
    due_at: str


@dataclass(frozen=True, kw_only=True)
class FollowUpCancelledV1(Event):
    """The follow-up was cancelled. Stream: the follow-up (its id)."""

    follow_up_id: str
    reason: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class FollowUpCompletedV1(Event):
    """The follow-up was done, with its outcome. Stream: the follow-up (its id)."""

    follow_up_id: str
    outcome: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class FollowUpRescheduledV1(Event):
    """The follow-up's due time changed. Stream: the follow-up (its id)."""

    follow_up_id: str
    due_at: str


@dataclass(frozen=True, kw_only=True)
class FollowUpScheduledV1(Event):
    """A follow-up task on an interest or contact. Stream: the follow-up (its id)."""

    follow_up_id: str
    subject_id: str
    owner: str | None
    due_at: str
    note: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InterestApplicationLinkedV1(Event):
    """An exhibitor application named this (already converted or lost) interest. Stream: the
    interest (its id).
    """

    interest_id: str
    application_id: str


@dataclass(frozen=True, kw_only=True)
class InterestCapturedV1(Event):
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
class InterestConversionRefusedV1(Event):
    """exhibitors refused the application the interest's conversion asked for: the interest is
    QUALIFIED again. Stream: the interest (its id).
    """

    interest_id: str
    code: str
    reason: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InterestConvertedV1(Event):
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
class InterestLostV1(Event):
    """The interest was lost. Stream: the interest (its id)."""

    interest_id: str
    reason: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class InterestNurturingStartedV1(Event):
    """Staff are nurturing the interest. Stream: the interest (its id)."""

    interest_id: str


@dataclass(frozen=True, kw_only=True)
class InterestOwnerAssignedV1(Event):
    """A staff member owns the interest. Stream: the interest (its id)."""

    interest_id: str
    owner: str | None


@dataclass(frozen=True, kw_only=True)
class InterestQualifiedV1(Event):
    """The interest was qualified. Stream: the interest (its id)."""

    interest_id: str


@dataclass(frozen=True, kw_only=True)
class NoShowRecordedV1(Event):
    """The invitee accepted but did not come. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class NoteAddedV1(Event):
    """A note on an organization, contact, outreach event or interest. Stream: the subject's
    stream.
    """

    note_id: str
    subject_id: str
    text: str | None
    contact_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrganizationAbsorbedV1(Event):
    """This organization took over a duplicate's history. Stream: the organization (its id)."""

    organization_id: str
    merged_id: str


@dataclass(frozen=True, kw_only=True)
class OrganizationMergedV1(Event):
    """This organization was a duplicate: it now redirects to the survivor. Stream: the
    organization (its id).
    """

    organization_id: str
    merged_into: str


@dataclass(frozen=True, kw_only=True)
class OrganizationRegisteredV1(Event):
    """An organization (company, government body, chamber, association, institution) was
    registered. Stream: the organization (its id).
    """

    organization_id: str
    name: str
    kind: str
    country: str
    website: str | None


@dataclass(frozen=True, kw_only=True)
class OrganizationUpdatedV1(Event):
    """The organization's details as they now stand. Stream: the organization (its id)."""

    organization_id: str
    name: str
    kind: str
    country: str
    website: str | None


@dataclass(frozen=True, kw_only=True)
class OutreachEventCancelledV1(Event):
    """The event was cancelled. Stream: the outreach event (its id)."""

    event_id: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class OutreachEventHeldV1(Event):
    """The event took place. Stream: the outreach event (its id)."""

    event_id: str


@dataclass(frozen=True, kw_only=True)
class OutreachEventRescheduledV1(Event):
    """The event moved (within its stop's dates); invitations and answers stand. Stream: the
    outreach event (its id).
    """

    event_id: str
    starts_at: str
    ends_at: str


@dataclass(frozen=True, kw_only=True)
class OutreachEventScheduledV1(Event):
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
class RsvpAcceptedV1(Event):
    """The invitee accepted. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class RsvpDeclinedV1(Event):
    """The invitee declined. Stream: the outreach event (its id)."""

    event_id: str
    contact_id: str


@dataclass(frozen=True, kw_only=True)
class TripCancelledV1(Event):
    """The trip was cancelled. Stream: the trip (its id)."""

    trip_id: str
    reason: str | None


@dataclass(frozen=True, kw_only=True)
class TripCompletedV1(Event):
    """The trip is over. Stream: the trip (its id)."""

    trip_id: str


@dataclass(frozen=True, kw_only=True)
class TripPlannedV1(Event):
    """A delegation's trip was planned with its itinerary. Stream: the trip (its id)."""

    trip_id: str
    delegation_id: str
    name: str
    stops: list[dict[str, Any]]


@dataclass(frozen=True, kw_only=True)
class TripStartedV1(Event):
    """The trip is under way. Stream: the trip (its id)."""

    trip_id: str


@dataclass(frozen=True, kw_only=True)
class TripStopAddedV1(Event):
    """A stop was added to the itinerary. Stream: the trip (its id)."""

    trip_id: str
    index: int
    city: str
    country: str
    starts_on: str
    ends_on: str
    time_zone: str | None = None


@dataclass(frozen=True, kw_only=True)
class TripStopRescheduledV1(Event):
    """A stop's dates changed. Stream: the trip (its id)."""

    trip_id: str
    index: int
    starts_on: str
    ends_on: str


EVENTS: dict[str, type[Event]] = {
    "pavilion.outreach.AttendanceRecorded.v1": AttendanceRecordedV1,
    "pavilion.outreach.ConsentGranted.v1": ConsentGrantedV1,
    "pavilion.outreach.ConsentWithdrawn.v1": ConsentWithdrawnV1,
    "pavilion.outreach.ContactAbsorbed.v1": ContactAbsorbedV1,
    "pavilion.outreach.ContactEmailClaimed.v1": ContactEmailClaimedV1,
    "pavilion.outreach.ContactEmailReleased.v1": ContactEmailReleasedV1,
    "pavilion.outreach.ContactForgotten.v1": ContactForgottenV1,
    "pavilion.outreach.ContactInvited.v1": ContactInvitedV1,
    "pavilion.outreach.ContactLinkedToOrganization.v1": ContactLinkedToOrganizationV1,
    "pavilion.outreach.ContactMerged.v1": ContactMergedV1,
    "pavilion.outreach.ContactRegistered.v1": ContactRegisteredV1,
    "pavilion.outreach.ContactUpdated.v1": ContactUpdatedV1,
    "pavilion.outreach.DelegationFormed.v1": DelegationFormedV1,
    "pavilion.outreach.DelegationMemberAdded.v1": DelegationMemberAddedV1,
    "pavilion.outreach.DelegationMemberRemoved.v1": DelegationMemberRemovedV1,
    "pavilion.outreach.FollowUpBecameOverdue.v1": FollowUpBecameOverdueV1,
    "pavilion.outreach.FollowUpCancelled.v1": FollowUpCancelledV1,
    "pavilion.outreach.FollowUpCompleted.v1": FollowUpCompletedV1,
    "pavilion.outreach.FollowUpRescheduled.v1": FollowUpRescheduledV1,
    "pavilion.outreach.FollowUpScheduled.v1": FollowUpScheduledV1,
    "pavilion.outreach.InterestApplicationLinked.v1": InterestApplicationLinkedV1,
    "pavilion.outreach.InterestCaptured.v1": InterestCapturedV1,
    "pavilion.outreach.InterestConversionRefused.v1": InterestConversionRefusedV1,
    "pavilion.outreach.InterestConverted.v1": InterestConvertedV1,
    "pavilion.outreach.InterestLost.v1": InterestLostV1,
    "pavilion.outreach.InterestNurturingStarted.v1": InterestNurturingStartedV1,
    "pavilion.outreach.InterestOwnerAssigned.v1": InterestOwnerAssignedV1,
    "pavilion.outreach.InterestQualified.v1": InterestQualifiedV1,
    "pavilion.outreach.NoShowRecorded.v1": NoShowRecordedV1,
    "pavilion.outreach.NoteAdded.v1": NoteAddedV1,
    "pavilion.outreach.OrganizationAbsorbed.v1": OrganizationAbsorbedV1,
    "pavilion.outreach.OrganizationMerged.v1": OrganizationMergedV1,
    "pavilion.outreach.OrganizationRegistered.v1": OrganizationRegisteredV1,
    "pavilion.outreach.OrganizationUpdated.v1": OrganizationUpdatedV1,
    "pavilion.outreach.OutreachEventCancelled.v1": OutreachEventCancelledV1,
    "pavilion.outreach.OutreachEventHeld.v1": OutreachEventHeldV1,
    "pavilion.outreach.OutreachEventRescheduled.v1": OutreachEventRescheduledV1,
    "pavilion.outreach.OutreachEventScheduled.v1": OutreachEventScheduledV1,
    "pavilion.outreach.RsvpAccepted.v1": RsvpAcceptedV1,
    "pavilion.outreach.RsvpDeclined.v1": RsvpDeclinedV1,
    "pavilion.outreach.TripCancelled.v1": TripCancelledV1,
    "pavilion.outreach.TripCompleted.v1": TripCompletedV1,
    "pavilion.outreach.TripPlanned.v1": TripPlannedV1,
    "pavilion.outreach.TripStarted.v1": TripStartedV1,
    "pavilion.outreach.TripStopAdded.v1": TripStopAddedV1,
    "pavilion.outreach.TripStopRescheduled.v1": TripStopRescheduledV1,
}
