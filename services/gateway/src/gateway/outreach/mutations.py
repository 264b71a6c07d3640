"""Mutations of the outreach feature: commands to the outreach service (staff only)."""

from typing import Any

import strawberry
from pavilion_core.commanding import Route

from gateway.mutations import CommandInput, Payload, mutation
from gateway.outreach import types as t
from gateway.outreach.inputs import (
    AddNoteInput,
    AddTripStopInput,
    AssignInterestOwnerInput,
    CancelFollowUpInput,
    CancelOutreachEventInput,
    CancelTripInput,
    CaptureInterestInput,
    CompleteFollowUpInput,
    DelegationMemberInput,
    ForgetContactInput,
    FormDelegationInput,
    GrantConsentInput,
    InterestInput,
    InviteContactInput,
    LinkContactInput,
    MarkInterestLostInput,
    MergeContactsInput,
    MergeOrganizationsInput,
    OutreachEventInput,
    PlanTripInput,
    RecordAttendanceInput,
    RecordRsvpInput,
    RegisterContactInput,
    RegisterOrganizationInput,
    RescheduleFollowUpInput,
    RescheduleOutreachEventInput,
    RescheduleTripStopInput,
    ScheduleFollowUpInput,
    ScheduleOutreachEventInput,
    TripInput,
    UpdateContactInput,
    UpdateOrganizationInput,
    WithdrawConsentInput,
)
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


# Each kind of record: its commands' path, its payload and the input field of its id.
KINDS: dict[str, tuple[str, type[Payload], str, str]] = {
    "Organization": ("/organizations", OrganizationPayload, "organization", "organization_id"),
    "Contact": ("/contacts", ContactPayload, "contact", "contact_id"),
    "Delegation": ("/delegations", DelegationPayload, "delegation", "delegation_id"),
    "Trip": ("/trips", TripPayload, "trip", "trip_id"),
    "OutreachEvent": ("/events", OutreachEventPayload, "outreach_event", "event_id"),
    "Interest": ("/interests", InterestPayload, "interest", "interest_id"),
    "FollowUp": ("/follow-ups", FollowUpPayload, "follow_up", "follow_up_id"),
}


def _new(kind: str, input: type[CommandInput]) -> Any:
    """A command that registers a new record: the service gives it its id."""
    collection, payload, name, _ = KINDS[kind]
    return mutation(Route("outreach", collection, "", kind), input, payload, name)


def _change(
    kind: str,
    action: str,
    input: type[CommandInput],
    description: str | None = None,
) -> Any:
    """A change of the record the input's id field names (`action` may name more)."""
    collection, payload, name, id_field = KINDS[kind]
    route = Route("outreach", f"{collection}/{{{id_field}}}{action}", "", kind)
    return mutation(route, input, payload, name, description=description)


NOTES = {
    kind: Route("outreach", f"{KINDS[kind][0]}/{{record_id}}/notes", "addNote", kind)
    for kind in ("Organization", "Contact", "OutreachEvent", "Interest")
}


@strawberry.type
class OutreachMutations:
    register_organization = _new("Organization", RegisterOrganizationInput)
    update_organization = _change("Organization", "/update", UpdateOrganizationInput)
    merge_organizations = _change("Organization", "/merge", MergeOrganizationsInput)
    register_contact = _new("Contact", RegisterContactInput)
    update_contact = _change("Contact", "/update", UpdateContactInput)
    link_contact = _change("Contact", "/link", LinkContactInput)
    merge_contacts = _change("Contact", "/merge", MergeContactsInput)
    forget_contact = _change(
        "Contact",
        "/forget",
        ForgetContactInput,
        description="ADMIN only. Forget the person (GDPR art. 17): their keys are destroyed, "
        "every copy of their personal data erased, every later change about them refused "
        "with FORGOTTEN. Forgetting again changes nothing.",
    )
    grant_consent = _change("Contact", "/consents", GrantConsentInput)
    withdraw_consent = _change("Contact", "/consents/withdraw", WithdrawConsentInput)
    add_note = mutation(NOTES, AddNoteInput, NotePayload, "record")
    form_delegation = _new("Delegation", FormDelegationInput)
    add_delegation_member = _change("Delegation", "/members", DelegationMemberInput)
    remove_delegation_member = _change("Delegation", "/members/remove", DelegationMemberInput)
    plan_trip = _new("Trip", PlanTripInput)
    add_trip_stop = _change("Trip", "/stops", AddTripStopInput)
    reschedule_trip_stop = _change(
        "Trip", "/stops/{stop_index}/reschedule", RescheduleTripStopInput
    )
    start_trip = _change("Trip", "/start", TripInput)
    complete_trip = _change("Trip", "/complete", TripInput)
    cancel_trip = _change("Trip", "/cancel", CancelTripInput)
    schedule_outreach_event = _new("OutreachEvent", ScheduleOutreachEventInput)
    reschedule_outreach_event = _change(
        "OutreachEvent", "/reschedule", RescheduleOutreachEventInput
    )
    hold_outreach_event = _change("OutreachEvent", "/hold", OutreachEventInput)
    cancel_outreach_event = _change("OutreachEvent", "/cancel", CancelOutreachEventInput)
    invite_contact = _change("OutreachEvent", "/invitations", InviteContactInput)
    record_rsvp = _change("OutreachEvent", "/rsvp", RecordRsvpInput)
    record_attendance = _change("OutreachEvent", "/attendance", RecordAttendanceInput)
    capture_interest = _new("Interest", CaptureInterestInput)
    qualify_interest = _change("Interest", "/qualify", InterestInput)
    nurture_interest = _change("Interest", "/nurture", InterestInput)
    convert_interest = _change("Interest", "/convert", InterestInput)
    mark_interest_lost = _change("Interest", "/lose", MarkInterestLostInput)
    assign_interest_owner = _change("Interest", "/owner", AssignInterestOwnerInput)
    schedule_follow_up = _new("FollowUp", ScheduleFollowUpInput)
    reschedule_follow_up = _change("FollowUp", "/reschedule", RescheduleFollowUpInput)
    complete_follow_up = _change("FollowUp", "/complete", CompleteFollowUpInput)
    cancel_follow_up = _change("FollowUp", "/cancel", CancelFollowUpInput)
