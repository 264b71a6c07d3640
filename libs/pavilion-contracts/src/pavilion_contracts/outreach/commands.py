"""The outreach service's commands, each declared once (pavilion_core.commanding): its
fields are what a caller sends, ids in the path included; its route says where the
service takes it and which GraphQL mutation sends it. The service mints the ids of the
records a command creates. Checked here for form only: the aggregates check the rules,
and the service normalises (addresses lower-cased, phones in E.164, times in UTC)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pavilion_core.bodies import Body, Country, Language, Moment, Text, TimeZone
from pavilion_core.commanding import Command, Contract
from pydantic import EmailStr, Field

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach.enums import (
    ConsentChannel,
    ConsentPurpose,
    ImpliedBy,
    InterestKind,
    LegalBasis,
    OrganizationKind,
    OutreachEventKind,
)

COMMANDS = Contract("outreach")
command = COMMANDS.command

Reason = Annotated[str, Field(min_length=1, max_length=1000)]
Website = Annotated[str, Field(max_length=300, pattern=r"^https?://\S+$")]
NoteText = Annotated[str, Field(min_length=1, max_length=10000)]
Phone = Annotated[str, Field(max_length=40, description="In E.164, or as dialled in the country")]
Edition = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
Merged = Annotated[UUID, Field(description="The duplicate, merged away.")]
Survivor = Annotated[UUID, Field(description="The one that stays.")]


# -- organizations -------------------------------------------------------------------


@command("/organizations", "registerOrganization", "Organization", creates=True)
class RegisterOrganization(Command):
    name: Text
    kind: OrganizationKind
    country: Country
    website: Website | None = None


@command("/organizations/{organization_id}/update", "updateOrganization", "Organization")
class UpdateOrganization(Command):
    organization_id: UUID
    name: Text | None = None
    kind: OrganizationKind | None = None
    country: Country | None = None
    website: Website | None = None


@command("/organizations/{organization_id}/merge", "mergeOrganizations", "Organization")
class MergeOrganizations(Command):
    organization_id: Merged
    survivor_id: Survivor


class AddNote(Command):
    """A note on a record; `addNote` sends it by the kind of the record."""

    record_id: UUID = Field(description="An organization, contact, outreach event or interest.")
    text: NoteText


@command("/organizations/{record_id}/notes", "addNote", "Organization")
class AddOrganizationNote(AddNote):
    pass


# -- contacts --------------------------------------------------------------------------


class ContactChange(Command):
    contact_id: UUID


class ContactProfile(Body):
    """A contact's profile as given: a field left out stays as it is."""

    name: Text | None = None
    title: Text | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    country: Country | None = None
    language: Language | None = None


@command("/contacts", "registerContact", "Contact", creates=True)
class RegisterContact(ContactProfile, Command):
    name: Text
    email: EmailStr
    country: Country
    language: Language = "en"
    organization_id: UUID | None = None


@command("/contacts/{contact_id}/update", "updateContact", "Contact")
class UpdateContact(ContactProfile, ContactChange):
    pass


@command("/contacts/{contact_id}/link", "linkContact", "Contact")
class LinkContact(ContactChange):
    organization_id: UUID


@command("/contacts/{contact_id}/merge", "mergeContacts", "Contact")
class MergeContacts(Command):
    contact_id: Merged
    survivor_id: Survivor


@command(
    "/contacts/{contact_id}/forget",
    "forgetContact",
    "Contact",
    description="ADMIN only. Forget the person (GDPR art. 17): their keys are destroyed, "
    "every copy of their personal data erased, every later change about them refused "
    "with FORGOTTEN. Forgetting again changes nothing.",
)
class ForgetContact(ContactChange):
    pass


@command("/contacts/{contact_id}/consents", "grantConsent", "Contact")
class GrantConsent(ContactChange):
    channel: ConsentChannel
    purpose: ConsentPurpose
    legal_basis: LegalBasis
    evidence: Reason
    implied_by: ImpliedBy | None = None
    implied_since: date | None = None


@command("/contacts/{contact_id}/consents/withdraw", "withdrawConsent", "Contact")
class WithdrawConsent(ContactChange):
    channel: ConsentChannel
    purpose: ConsentPurpose
    reason: Reason


@command("/contacts/{record_id}/notes", "addNote", "Contact")
class AddContactNote(AddNote):
    pass


# -- delegations and trips -------------------------------------------------------------


@command("/delegations", "formDelegation", "Delegation", creates=True)
class FormDelegation(Command):
    name: Text
    organizer: Text
    leader_id: UUID
    purpose: Reason


class DelegationMemberChange(Command):
    delegation_id: UUID
    contact_id: UUID


MEMBER = "DelegationMemberInput"


@command("/delegations/{delegation_id}/members", "addDelegationMember", "Delegation", input=MEMBER)
class AddDelegationMember(DelegationMemberChange):
    pass


@command(
    "/delegations/{delegation_id}/members/remove",
    "removeDelegationMember",
    "Delegation",
    input=MEMBER,
)
class RemoveDelegationMember(DelegationMemberChange):
    pass


class StopIn(Body):
    city: Text
    country: Country
    starts_on: date  # on the stop's own calendar
    ends_on: date
    time_zone: TimeZone | None = Field(
        default=None,
        description="IANA time zone of the stop (e.g. America/Toronto), whose calendar its "
        "dates are on and in which its events' times are shown; none: UTC",
    )


@command("/trips", "planTrip", "Trip", creates=True)
class PlanTrip(Command):
    delegation_id: UUID
    name: Text
    stops: Annotated[list[StopIn], Field(min_length=1, max_length=30)]


class TripChange(Command):
    trip_id: UUID


@command("/trips/{trip_id}/stops", "addTripStop", "Trip")
class AddTripStop(StopIn, TripChange):
    pass


@command("/trips/{trip_id}/stops/{stop_index}/reschedule", "rescheduleTripStop", "Trip")
class RescheduleTripStop(TripChange):
    stop_index: Annotated[int, Field(ge=0, le=100)]
    starts_on: date
    ends_on: date


@command("/trips/{trip_id}/start", "startTrip", "Trip", input="TripInput")
class StartTrip(TripChange):
    pass


@command("/trips/{trip_id}/complete", "completeTrip", "Trip", input="TripInput")
class CompleteTrip(TripChange):
    pass


@command("/trips/{trip_id}/cancel", "cancelTrip", "Trip")
class CancelTrip(TripChange):
    reason: Reason


# -- outreach events -------------------------------------------------------------------


@command("/events", "scheduleOutreachEvent", "OutreachEvent", creates=True)
class ScheduleOutreachEvent(Command):
    trip_id: UUID
    stop_index: Annotated[int, Field(ge=0, le=100)]
    name: Text
    kind: OutreachEventKind
    starts_at: Moment
    ends_at: Moment
    venue: Text | None = None
    capacity: Annotated[int, Field(ge=1, le=100000)] | None = None


class OutreachEventChange(Command):
    event_id: UUID


@command("/events/{event_id}/reschedule", "rescheduleOutreachEvent", "OutreachEvent")
class RescheduleOutreachEvent(OutreachEventChange):
    starts_at: Moment
    ends_at: Moment


@command(
    "/events/{event_id}/hold", "holdOutreachEvent", "OutreachEvent", input="OutreachEventInput"
)
class HoldOutreachEvent(OutreachEventChange):
    pass


@command("/events/{event_id}/cancel", "cancelOutreachEvent", "OutreachEvent")
class CancelOutreachEvent(OutreachEventChange):
    reason: Reason


class InvitationChange(OutreachEventChange):
    contact_id: UUID


@command("/events/{event_id}/invitations", "inviteContact", "OutreachEvent")
class InviteContact(InvitationChange):
    pass


@command("/events/{event_id}/rsvp", "recordRsvp", "OutreachEvent")
class RecordRsvp(InvitationChange):
    accept: bool


@command("/events/{event_id}/attendance", "recordAttendance", "OutreachEvent")
class RecordAttendance(InvitationChange):
    attended: bool


@command("/events/{record_id}/notes", "addNote", "OutreachEvent")
class AddOutreachEventNote(AddNote):
    pass


# -- interests and follow-ups ----------------------------------------------------------


@command("/interests", "captureInterest", "Interest", creates=True)
class CaptureInterest(Command):
    contact_id: UUID
    kind: InterestKind
    edition: Edition
    supply_chain_areas: Annotated[list[SupplyChainArea], Field(max_length=7)] = Field(
        default_factory=list
    )
    product_categories: Annotated[list[Text], Field(max_length=50)] = Field(default_factory=list)
    organization_id: UUID | None = Field(default=None, description="The contact's own if none.")
    source_event_id: UUID | None = None


class InterestChange(Command):
    interest_id: UUID


@command("/interests/{interest_id}/qualify", "qualifyInterest", "Interest", input="InterestInput")
class QualifyInterest(InterestChange):
    pass


@command("/interests/{interest_id}/nurture", "nurtureInterest", "Interest", input="InterestInput")
class NurtureInterest(InterestChange):
    pass


@command("/interests/{interest_id}/convert", "convertInterest", "Interest", input="InterestInput")
class ConvertInterest(InterestChange):
    pass


@command("/interests/{interest_id}/lose", "markInterestLost", "Interest")
class MarkInterestLost(InterestChange):
    reason: Reason


@command("/interests/{interest_id}/owner", "assignInterestOwner", "Interest")
class AssignInterestOwner(InterestChange):
    owner: Text


@command("/interests/{record_id}/notes", "addNote", "Interest")
class AddInterestNote(AddNote):
    pass


@command("/follow-ups", "scheduleFollowUp", "FollowUp", creates=True)
class ScheduleFollowUp(Command):
    subject_id: UUID = Field(description="The interest, contact or organization it is about.")
    owner: Text
    due_at: Moment
    note: Reason | None = None


class FollowUpChange(Command):
    follow_up_id: UUID


@command("/follow-ups/{follow_up_id}/reschedule", "rescheduleFollowUp", "FollowUp")
class RescheduleFollowUp(FollowUpChange):
    due_at: Moment


@command("/follow-ups/{follow_up_id}/complete", "completeFollowUp", "FollowUp")
class CompleteFollowUp(FollowUpChange):
    outcome: Reason


@command("/follow-ups/{follow_up_id}/cancel", "cancelFollowUp", "FollowUp")
class CancelFollowUp(FollowUpChange):
    reason: Reason
