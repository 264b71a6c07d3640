"""Commands: what a caller asks the outreach service to do. Validated for form at the
edge (api/models.py); the aggregates check the rules."""

from dataclasses import dataclass
from datetime import date, datetime

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import (
    ConsentChannel,
    ConsentPurpose,
    ImpliedBy,
    InterestKind,
    LegalBasis,
    OrganizationKind,
    OutreachEventKind,
)

from outreach.domain.travel import Stop


@dataclass(frozen=True)
class RegisterOrganization:
    organization_id: str
    name: str
    kind: OrganizationKind
    country: str
    website: str | None = None


@dataclass(frozen=True)
class UpdateOrganization:
    organization_id: str
    name: str | None = None
    kind: OrganizationKind | None = None
    country: str | None = None
    website: str | None = None


@dataclass(frozen=True)
class MergeOrganizations:
    merged_id: str
    survivor_id: str


@dataclass(frozen=True)
class ContactProfile:
    name: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None  # E.164 once normalised
    country: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class RegisterContact:
    contact_id: str
    profile: ContactProfile
    organization_id: str | None = None


@dataclass(frozen=True)
class UpdateContact:
    contact_id: str
    profile: ContactProfile


@dataclass(frozen=True)
class LinkContact:
    contact_id: str
    organization_id: str


@dataclass(frozen=True)
class MergeContacts:
    merged_id: str
    survivor_id: str


@dataclass(frozen=True)
class ForgetContact:
    contact_id: str
    # the applications that name their address as a contact person (the vault knows)
    applications: tuple[str, ...] = ()


@dataclass(frozen=True)
class GrantConsent:
    contact_id: str
    channel: ConsentChannel
    purpose: ConsentPurpose
    legal_basis: LegalBasis
    evidence: str
    implied_by: ImpliedBy | None = None
    implied_since: date | None = None


@dataclass(frozen=True)
class WithdrawConsent:
    contact_id: str
    channel: ConsentChannel
    purpose: ConsentPurpose
    reason: str


@dataclass(frozen=True)
class FormDelegation:
    delegation_id: str
    name: str
    organizer: str
    leader_id: str
    purpose: str


@dataclass(frozen=True)
class ChangeDelegationMember:
    delegation_id: str
    contact_id: str
    add: bool


@dataclass(frozen=True)
class PlanTrip:
    trip_id: str
    delegation_id: str
    name: str
    stops: tuple[Stop, ...]


@dataclass(frozen=True)
class AddTripStop:
    trip_id: str
    stop: Stop


@dataclass(frozen=True)
class RescheduleTripStop:
    trip_id: str
    index: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class ChangeTripStatus:
    trip_id: str
    action: str  # start | complete | cancel
    reason: str = ""


@dataclass(frozen=True)
class ScheduleOutreachEvent:
    event_id: str
    trip_id: str
    stop_index: int
    name: str
    kind: OutreachEventKind
    starts_at: datetime
    ends_at: datetime
    venue: str | None = None
    capacity: int | None = None


@dataclass(frozen=True)
class RescheduleOutreachEvent:
    event_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class HoldOutreachEvent:
    event_id: str


@dataclass(frozen=True)
class CancelOutreachEvent:
    event_id: str
    reason: str


@dataclass(frozen=True)
class InviteContact:
    event_id: str
    contact_id: str


@dataclass(frozen=True)
class RecordRsvp:
    event_id: str
    contact_id: str
    accept: bool


@dataclass(frozen=True)
class RecordAttendance:
    event_id: str
    contact_id: str
    attended: bool


@dataclass(frozen=True)
class CaptureInterest:
    interest_id: str
    contact_id: str
    kind: InterestKind
    edition: str
    supply_chain_areas: tuple[SupplyChainArea, ...]
    product_categories: tuple[str, ...] = ()
    organization_id: str | None = None  # the contact's own when not given
    source_event_id: str | None = None


@dataclass(frozen=True)
class ChangeInterest:
    interest_id: str
    action: str  # qualify | nurture | convert | lose | assign
    reason: str = ""
    owner: str = ""


@dataclass(frozen=True)
class ScheduleFollowUp:
    follow_up_id: str
    subject_id: str
    owner: str
    due_at: datetime
    note: str | None = None


@dataclass(frozen=True)
class ChangeFollowUp:
    follow_up_id: str
    action: str  # reschedule | complete | cancel
    due_at: datetime | None = None
    text: str = ""


@dataclass(frozen=True)
class AddNote:
    subject_kind: str  # organization | contact | event | interest
    subject_id: str
    note_id: str
    text: str
