"""Request bodies of the outreach command API: typed, validated, camelCase."""

from datetime import UTC, date, datetime
from typing import Annotated
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
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
from pavilion_core.bodies import Body, Country, Language, Text, Versioned
from pydantic import AfterValidator, AwareDatetime, EmailStr, Field, model_validator

Reason = Annotated[str, Field(min_length=1, max_length=1000)]
Website = Annotated[str, Field(max_length=300, pattern=r"^https?://\S+$")]
NoteText = Annotated[str, Field(min_length=1, max_length=10000)]


def e164(phone: str, country: str | None) -> str:
    """The number in E.164, read in the contact's country when it has no prefix."""
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{phone!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{phone!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class OrganizationIn(Versioned):
    name: Text
    kind: OrganizationKind
    country: Country
    website: Website | None = None


class OrganizationUpdateIn(Versioned):
    name: Text | None = None
    kind: OrganizationKind | None = None
    country: Country | None = None
    website: Website | None = None


class MergeIn(Versioned):
    survivor_id: UUID


class NoteIn(Versioned):
    text: NoteText


class ContactUpdateIn(Versioned):
    name: Text | None = None
    title: Text | None = None
    email: EmailStr | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    country: Country | None = None
    language: Language | None = None

    @model_validator(mode="after")
    def _normalise(self) -> "ContactUpdateIn":
        if self.email:
            self.email = self.email.lower()
        if self.phone:
            self.phone = e164(self.phone, self.country)
        return self


class ContactIn(ContactUpdateIn):
    name: Text
    email: EmailStr
    country: Country
    language: Language = "en"
    organization_id: UUID | None = None


class LinkIn(Versioned):
    organization_id: UUID


class ConsentIn(Versioned):
    channel: ConsentChannel
    purpose: ConsentPurpose
    legal_basis: LegalBasis
    evidence: Reason
    implied_by: ImpliedBy | None = None
    implied_since: date | None = None


class WithdrawConsentIn(Versioned):
    channel: ConsentChannel
    purpose: ConsentPurpose
    reason: Reason


class DelegationIn(Versioned):
    name: Text
    organizer: Text
    leader_id: UUID
    purpose: Reason


class MemberIn(Versioned):
    contact_id: UUID


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. America/Toronto)") from None
    return name


TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_time_zone)]


class StopIn(Body):
    city: Text
    country: Country
    starts_on: date  # on the stop's own calendar
    ends_on: date
    time_zone: TimeZone = "UTC"


class TripIn(Versioned):
    delegation_id: UUID
    name: Text
    stops: Annotated[list[StopIn], Field(min_length=1, max_length=30)]


class AddStopIn(Versioned, StopIn):
    pass


class RescheduleStopIn(Versioned):
    starts_on: date
    ends_on: date


class ReasonIn(Versioned):
    reason: Reason


class EventIn(Versioned):
    trip_id: UUID
    stop_index: Annotated[int, Field(ge=0, le=100)]
    name: Text
    kind: OutreachEventKind
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: Text | None = None
    capacity: Annotated[int, Field(ge=1, le=100000)] | None = None


class RescheduleEventIn(Versioned):
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class InviteIn(Versioned):
    contact_id: UUID


class RsvpIn(Versioned):
    contact_id: UUID
    accept: bool


class AttendanceIn(Versioned):
    contact_id: UUID
    attended: bool


class InterestIn(Versioned):
    contact_id: UUID
    kind: InterestKind
    edition: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
    supply_chain_areas: Annotated[list[SupplyChainArea], Field(max_length=7)] = Field(
        default_factory=list
    )
    product_categories: Annotated[list[Text], Field(max_length=50)] = Field(default_factory=list)
    organization_id: UUID | None = None
    source_event_id: UUID | None = None


class OwnerIn(Versioned):
    owner: Text


class FollowUpIn(Versioned):
    subject_id: UUID
    owner: Text
    due_at: AwareDatetime
    note: Reason | None = None


class DueIn(Versioned):
    due_at: AwareDatetime


class OutcomeIn(Versioned):
    outcome: Reason


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
