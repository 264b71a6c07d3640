"""Mutations of the outreach feature: commands to the outreach service (staff only)."""

from datetime import date, datetime
from enum import Enum
from typing import Any

import strawberry

from gateway.exhibitors.types import SupplyChainArea
from gateway.mutations import ChangeInput, Command, CommandInput, Payload, mutation
from gateway.outreach import types as t
from gateway.relay import Node


@strawberry.type
class OrganizationPayload(Payload):
    organization: t.Organization | None = None


@strawberry.type
class ContactPayload(Payload):
    contact: t.Contact | None = None


@strawberry.type
class DelegationPayload(Payload):
    delegation: t.Delegation | None = None


@strawberry.type
class TripPayload(Payload):
    trip: t.Trip | None = None


@strawberry.type
class OutreachEventPayload(Payload):
    outreach_event: t.OutreachEvent | None = None


@strawberry.type
class InterestPayload(Payload):
    interest: t.Interest | None = None


@strawberry.type
class FollowUpPayload(Payload):
    follow_up: t.FollowUp | None = None


@strawberry.type
class NotePayload(Payload):
    record: Node | None = strawberry.field(
        default=None, description="The organization, contact, outreach event or interest."
    )


@strawberry.enum
class ConsentChannel(Enum):
    EMAIL = "EMAIL"
    SMS = "SMS"


@strawberry.enum
class ConsentPurpose(Enum):
    MARKETING = "MARKETING"
    TRANSACTIONAL = "TRANSACTIONAL"


@strawberry.enum
class LegalBasis(Enum):
    EXPRESS = "EXPRESS"
    IMPLIED = "IMPLIED"
    LEGITIMATE_INTEREST = "LEGITIMATE_INTEREST"


@strawberry.enum
class ImpliedBy(Enum):
    BUSINESS_RELATIONSHIP = "BUSINESS_RELATIONSHIP"
    INQUIRY = "INQUIRY"


@strawberry.input
class RegisterOrganizationInput(CommandInput):
    name: str
    kind: t.OrganizationKind
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
class PlanTripInput(CommandInput):
    delegation_id: strawberry.ID
    name: str
    stops: list[StopInput]


@strawberry.input
class ScheduleOutreachEventInput(CommandInput):
    trip_id: strawberry.ID
    stop_index: int
    name: str
    kind: t.OutreachEventKind
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
    kind: t.InterestKind
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
    kind: t.OrganizationKind | None = None
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


def _cmd(path: str, changes: str) -> Command:
    return Command("outreach", path, changes)


def _organization(path: str, input: type[CommandInput]) -> Any:
    command = _cmd(f"/organizations/{{}}{path}", "Organization")
    return mutation(command, input, OrganizationPayload, "organization", "organization_id")


def _contact(path: str, input: type[CommandInput]) -> Any:
    command = _cmd(f"/contacts/{{}}{path}", "Contact")
    return mutation(command, input, ContactPayload, "contact", "contact_id")


def _delegation(path: str) -> Any:
    command = _cmd(f"/delegations/{{}}{path}", "Delegation")
    input, payload = DelegationMemberInput, DelegationPayload
    return mutation(command, input, payload, "delegation", "delegation_id")


def _trip(path: str, input: type[TripInput], *more: str) -> Any:
    command = _cmd(f"/trips/{{}}{path}", "Trip")
    return mutation(command, input, TripPayload, "trip", "trip_id", *more)


def _event(path: str, input: type[CommandInput]) -> Any:
    command = _cmd(f"/events/{{}}{path}", "OutreachEvent")
    return mutation(command, input, OutreachEventPayload, "outreach_event", "event_id")


def _interest(path: str, input: type[InterestInput]) -> Any:
    command = _cmd(f"/interests/{{}}{path}", "Interest")
    return mutation(command, input, InterestPayload, "interest", "interest_id")


def _follow_up(path: str, input: type[FollowUpInput]) -> Any:
    command = _cmd(f"/follow-ups/{{}}{path}", "FollowUp")
    return mutation(command, input, FollowUpPayload, "follow_up", "follow_up_id")


def _new(path: str, input: type[CommandInput], payload: type[Payload], name: str) -> Any:
    """A command that registers a new record: the service gives it its id."""
    return mutation(_cmd(path, payload.__name__.removesuffix("Payload")), input, payload, name)


NOTES = {
    kind: _cmd(f"/{collection}/{{}}/notes", kind)
    for kind, collection in (
        ("Organization", "organizations"),
        ("Contact", "contacts"),
        ("OutreachEvent", "events"),
        ("Interest", "interests"),
    )
}


@strawberry.type
class OutreachMutations:
    register_organization = _new(
        "/organizations", RegisterOrganizationInput, OrganizationPayload, "organization"
    )
    update_organization = _organization("/update", UpdateOrganizationInput)
    merge_organizations = _organization("/merge", MergeOrganizationsInput)
    register_contact = _new("/contacts", RegisterContactInput, ContactPayload, "contact")
    update_contact = _contact("/update", UpdateContactInput)
    link_contact = _contact("/link", LinkContactInput)
    merge_contacts = _contact("/merge", MergeContactsInput)
    grant_consent = _contact("/consents", GrantConsentInput)
    withdraw_consent = _contact("/consents/withdraw", WithdrawConsentInput)
    add_note = mutation(NOTES, AddNoteInput, NotePayload, "record", "record_id")
    form_delegation = _new("/delegations", FormDelegationInput, DelegationPayload, "delegation")
    add_delegation_member = _delegation("/members")
    remove_delegation_member = _delegation("/members/remove")
    plan_trip = _new("/trips", PlanTripInput, TripPayload, "trip")
    add_trip_stop = _trip("/stops", AddTripStopInput)
    reschedule_trip_stop = _trip("/stops/{}/reschedule", RescheduleTripStopInput, "stop_index")
    start_trip = _trip("/start", TripInput)
    complete_trip = _trip("/complete", TripInput)
    cancel_trip = _trip("/cancel", CancelTripInput)
    schedule_outreach_event = _new(
        "/events", ScheduleOutreachEventInput, OutreachEventPayload, "outreach_event"
    )
    reschedule_outreach_event = _event("/reschedule", RescheduleOutreachEventInput)
    hold_outreach_event = _event("/hold", OutreachEventInput)
    cancel_outreach_event = _event("/cancel", CancelOutreachEventInput)
    invite_contact = _event("/invitations", InviteContactInput)
    record_rsvp = _event("/rsvp", RecordRsvpInput)
    record_attendance = _event("/attendance", RecordAttendanceInput)
    capture_interest = _new("/interests", CaptureInterestInput, InterestPayload, "interest")
    qualify_interest = _interest("/qualify", InterestInput)
    nurture_interest = _interest("/nurture", InterestInput)
    convert_interest = _interest("/convert", InterestInput)
    mark_interest_lost = _interest("/lose", MarkInterestLostInput)
    assign_interest_owner = _interest("/owner", AssignInterestOwnerInput)
    schedule_follow_up = _new("/follow-ups", ScheduleFollowUpInput, FollowUpPayload, "follow_up")
    reschedule_follow_up = _follow_up("/reschedule", RescheduleFollowUpInput)
    complete_follow_up = _follow_up("/complete", CompleteFollowUpInput)
    cancel_follow_up = _follow_up("/cancel", CancelFollowUpInput)
