"""The outreach service's public enums: its events, its command API, the GraphQL API
and the notifications that honour consent spell their values so."""

from enum import StrEnum


class OrganizationKind(StrEnum):
    COMPANY = "COMPANY"
    GOVERNMENT = "GOVERNMENT"
    CHAMBER = "CHAMBER"
    ASSOCIATION = "ASSOCIATION"
    INSTITUTION = "INSTITUTION"


class ConsentChannel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class ConsentPurpose(StrEnum):
    """MARKETING needs valid consent; TRANSACTIONAL does not (a hard opt-out still holds)."""

    MARKETING = "MARKETING"
    TRANSACTIONAL = "TRANSACTIONAL"


class LegalBasis(StrEnum):
    EXPRESS = "EXPRESS"
    IMPLIED = "IMPLIED"
    LEGITIMATE_INTEREST = "LEGITIMATE_INTEREST"


class ImpliedBy(StrEnum):
    """Why consent is implied, and so how long it lasts (CASL)."""

    BUSINESS_RELATIONSHIP = "BUSINESS_RELATIONSHIP"  # two years from the relationship
    INQUIRY = "INQUIRY"  # six months from the inquiry


class TripStatus(StrEnum):
    PLANNED = "PLANNED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class OutreachEventKind(StrEnum):
    FORUM = "FORUM"
    PRESENTATION = "PRESENTATION"
    NETWORKING_BREAKFAST = "NETWORKING_BREAKFAST"
    SPEECH = "SPEECH"
    MEETING = "MEETING"


class InvitationStatus(StrEnum):
    INVITED = "INVITED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"


class InterestKind(StrEnum):
    EXHIBIT = "EXHIBIT"
    VISIT = "VISIT"
    PARTNER = "PARTNER"


class InterestStage(StrEnum):
    CAPTURED = "CAPTURED"
    QUALIFIED = "QUALIFIED"
    NURTURING = "NURTURING"
    CONVERTED = "CONVERTED"
    LOST = "LOST"


class FollowUpStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
