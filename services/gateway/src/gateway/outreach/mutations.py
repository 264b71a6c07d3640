"""Mutations of the outreach feature: commands to the outreach service (staff only)."""

from datetime import date, datetime
from enum import Enum

import strawberry

from gateway.exhibitors.types import SupplyChainArea
from gateway.mutations import ChangeInput, Command, CommandInput, Info, Payload, run
from gateway.outreach import types as t
from gateway.policy import ADMIN


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
class ForgetContactInput(ChangeInput):
    contact_id: strawberry.ID


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
class CompleteFollowUpInput(ChangeInput):
    follow_up_id: strawberry.ID
    outcome: str


def _cmd(path: str, changes: str) -> Command:
    return Command("outreach", path, changes)


@strawberry.type
class OutreachMutations:
    @strawberry.mutation
    async def register_organization(
        self, info: Info, input: RegisterOrganizationInput
    ) -> OrganizationPayload:
        outcome = await run(info, _cmd("/organizations", "Organization"), input)
        return outcome.into(OrganizationPayload, "organization")

    @strawberry.mutation
    async def register_contact(self, info: Info, input: RegisterContactInput) -> ContactPayload:
        outcome = await run(info, _cmd("/contacts", "Contact"), input)
        return outcome.into(ContactPayload, "contact")

    @strawberry.mutation(
        description="ADMIN only. Forget the person (GDPR art. 17): their key is destroyed, "
        "every copy of their personal data erased, every later change about them refused "
        "with FORGOTTEN. Forgetting again changes nothing."
    )
    async def forget_contact(self, info: Info, input: ForgetContactInput) -> ContactPayload:
        command = Command("outreach", "/contacts/{}/forget", "Contact", roles=ADMIN)
        return (await run(info, command, input, "contact_id")).into(ContactPayload, "contact")

    @strawberry.mutation
    async def grant_consent(self, info: Info, input: GrantConsentInput) -> ContactPayload:
        outcome = await run(info, _cmd("/contacts/{}/consents", "Contact"), input, "contact_id")
        return outcome.into(ContactPayload, "contact")

    @strawberry.mutation
    async def withdraw_consent(self, info: Info, input: WithdrawConsentInput) -> ContactPayload:
        command = _cmd("/contacts/{}/consents/withdraw", "Contact")
        return (await run(info, command, input, "contact_id")).into(ContactPayload, "contact")

    @strawberry.mutation
    async def form_delegation(self, info: Info, input: FormDelegationInput) -> DelegationPayload:
        outcome = await run(info, _cmd("/delegations", "Delegation"), input)
        return outcome.into(DelegationPayload, "delegation")

    @strawberry.mutation
    async def plan_trip(self, info: Info, input: PlanTripInput) -> TripPayload:
        return (await run(info, _cmd("/trips", "Trip"), input)).into(TripPayload, "trip")

    @strawberry.mutation
    async def schedule_outreach_event(
        self, info: Info, input: ScheduleOutreachEventInput
    ) -> OutreachEventPayload:
        outcome = await run(info, _cmd("/events", "OutreachEvent"), input)
        return outcome.into(OutreachEventPayload, "outreach_event")

    @strawberry.mutation
    async def invite_contact(self, info: Info, input: InviteContactInput) -> OutreachEventPayload:
        command = _cmd("/events/{}/invitations", "OutreachEvent")
        outcome = await run(info, command, input, "event_id")
        return outcome.into(OutreachEventPayload, "outreach_event")

    @strawberry.mutation
    async def record_rsvp(self, info: Info, input: RecordRsvpInput) -> OutreachEventPayload:
        outcome = await run(info, _cmd("/events/{}/rsvp", "OutreachEvent"), input, "event_id")
        return outcome.into(OutreachEventPayload, "outreach_event")

    @strawberry.mutation
    async def record_attendance(
        self, info: Info, input: RecordAttendanceInput
    ) -> OutreachEventPayload:
        command = _cmd("/events/{}/attendance", "OutreachEvent")
        outcome = await run(info, command, input, "event_id")
        return outcome.into(OutreachEventPayload, "outreach_event")

    @strawberry.mutation
    async def capture_interest(self, info: Info, input: CaptureInterestInput) -> InterestPayload:
        outcome = await run(info, _cmd("/interests", "Interest"), input)
        return outcome.into(InterestPayload, "interest")

    @strawberry.mutation
    async def qualify_interest(self, info: Info, input: InterestInput) -> InterestPayload:
        return await _interest(info, "qualify", input)

    @strawberry.mutation
    async def convert_interest(self, info: Info, input: InterestInput) -> InterestPayload:
        return await _interest(info, "convert", input)

    @strawberry.mutation
    async def mark_interest_lost(self, info: Info, input: MarkInterestLostInput) -> InterestPayload:
        return await _interest(info, "lose", input)

    @strawberry.mutation
    async def schedule_follow_up(self, info: Info, input: ScheduleFollowUpInput) -> FollowUpPayload:
        outcome = await run(info, _cmd("/follow-ups", "FollowUp"), input)
        return outcome.into(FollowUpPayload, "follow_up")

    @strawberry.mutation
    async def complete_follow_up(self, info: Info, input: CompleteFollowUpInput) -> FollowUpPayload:
        command = _cmd("/follow-ups/{}/complete", "FollowUp")
        outcome = await run(info, command, input, "follow_up_id")
        return outcome.into(FollowUpPayload, "follow_up")


async def _interest(info: Info, action: str, input: InterestInput) -> InterestPayload:
    command = _cmd(f"/interests/{{}}/{action}", "Interest")
    outcome = await run(info, command, input, "interest_id")
    return outcome.into(InterestPayload, "interest")
