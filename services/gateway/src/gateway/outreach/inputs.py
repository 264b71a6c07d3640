"""Inputs of the outreach feature's mutations."""

from datetime import date, datetime

import strawberry

from gateway.enums import (
    ConsentChannel,
    ConsentPurpose,
    ImpliedBy,
    InterestKind,
    LegalBasis,
    OrganizationKind,
    OutreachEventKind,
    SupplyChainArea,
)
from gateway.mutations import ChangeInput, CommandInput


@strawberry.input
class StopInput:
    city: str
    country: str
    starts_on: date
    ends_on: date
    time_zone: str | None = strawberry.field(
        default=None,
        description="IANA time zone of the stop (e.g. America/Toronto), whose calendar its "
        "dates are on and in which its events' times are shown; none: UTC",
    )


@strawberry.input
class RegisterOrganizationInput(CommandInput):
    name: str
    kind: OrganizationKind
    country: str
    website: str | None = None


@strawberry.input
class RegisterContactInput(CommandInput):
    name: str
    email: str
    country: str
    title: str | None = None
    phone: str | None = None
    language: str = "en"
    organization_id: strawberry.ID | None = None


@strawberry.input
class GrantConsentInput(ChangeInput):
    contact_id: strawberry.ID
    channel: ConsentChannel
    purpose: ConsentPurpose
    legal_basis: LegalBasis
    evidence: str
    implied_by: ImpliedBy | None = None
    implied_since: date | None = None


@strawberry.input
class WithdrawConsentInput(ChangeInput):
    contact_id: strawberry.ID
    channel: ConsentChannel
    purpose: ConsentPurpose
    reason: str


@strawberry.input
class FormDelegationInput(CommandInput):
    name: str
    organizer: str
    leader_id: strawberry.ID
    purpose: str


@strawberry.input
class PlanTripInput(CommandInput):
    delegation_id: strawberry.ID
    name: str
    stops: list[StopInput]


@strawberry.input
class ScheduleOutreachEventInput(CommandInput):
    trip_id: strawberry.ID
    stop_index: int
    name: str
    kind: OutreachEventKind
    starts_at: datetime
    ends_at: datetime
    venue: str | None = None
    capacity: int | None = None


@strawberry.input
class InviteContactInput(ChangeInput):
    event_id: strawberry.ID
    contact_id: strawberry.ID


@strawberry.input
class RecordRsvpInput(InviteContactInput):
    accept: bool


@strawberry.input
class RecordAttendanceInput(InviteContactInput):
    attended: bool


@strawberry.input
class CaptureInterestInput(CommandInput):
    contact_id: strawberry.ID
    kind: InterestKind
    edition: str
    supply_chain_areas: list[SupplyChainArea] = strawberry.field(default_factory=list)
    product_categories: list[str] = strawberry.field(default_factory=list)
    organization_id: strawberry.ID | None = None
    source_event_id: strawberry.ID | None = None


@strawberry.input
class InterestInput(ChangeInput):
    interest_id: strawberry.ID


@strawberry.input
class MarkInterestLostInput(InterestInput):
    reason: str


@strawberry.input
class ScheduleFollowUpInput(CommandInput):
    subject_id: strawberry.ID
    owner: str
    due_at: datetime
    note: str | None = None


@strawberry.input
class UpdateOrganizationInput(ChangeInput):
    organization_id: strawberry.ID
    name: str | None = None
    kind: OrganizationKind | None = None
    country: str | None = None
    website: str | None = None


@strawberry.input
class MergeOrganizationsInput(ChangeInput):
    organization_id: strawberry.ID = strawberry.field(description="The duplicate, merged away.")
    survivor_id: strawberry.ID = strawberry.field(description="The one that stays.")


@strawberry.input
class UpdateContactInput(ChangeInput):
    contact_id: strawberry.ID
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    language: str | None = None


@strawberry.input
class ForgetContactInput(ChangeInput):
    contact_id: strawberry.ID


@strawberry.input
class LinkContactInput(ChangeInput):
    contact_id: strawberry.ID
    organization_id: strawberry.ID


@strawberry.input
class MergeContactsInput(ChangeInput):
    contact_id: strawberry.ID = strawberry.field(description="The duplicate, merged away.")
    survivor_id: strawberry.ID = strawberry.field(description="The one that stays.")


@strawberry.input
class AddNoteInput(ChangeInput):
    record_id: strawberry.ID = strawberry.field(
        description="An organization, contact, outreach event or interest."
    )
    text: str


@strawberry.input
class DelegationMemberInput(ChangeInput):
    delegation_id: strawberry.ID
    contact_id: strawberry.ID


@strawberry.input
class TripInput(ChangeInput):
    trip_id: strawberry.ID


@strawberry.input
class AddTripStopInput(TripInput, StopInput):
    pass


@strawberry.input
class RescheduleTripStopInput(TripInput):
    stop_index: int
    starts_on: date
    ends_on: date


@strawberry.input
class CancelTripInput(TripInput):
    reason: str


@strawberry.input
class OutreachEventInput(ChangeInput):
    event_id: strawberry.ID


@strawberry.input
class RescheduleOutreachEventInput(OutreachEventInput):
    starts_at: datetime
    ends_at: datetime


@strawberry.input
class CancelOutreachEventInput(OutreachEventInput):
    reason: str


@strawberry.input
class AssignInterestOwnerInput(InterestInput):
    owner: str


@strawberry.input
class FollowUpInput(ChangeInput):
    follow_up_id: strawberry.ID


@strawberry.input
class CompleteFollowUpInput(FollowUpInput):
    outcome: str


@strawberry.input
class RescheduleFollowUpInput(FollowUpInput):
    due_at: datetime


@strawberry.input
class CancelFollowUpInput(FollowUpInput):
    reason: str
