"""The exhibitors service's public enums: its events, its command API and the GraphQL
API spell their values so (SCREAMING_SNAKE_CASE, the value its own name)."""

from enum import StrEnum


class SupplyChainArea(StrEnum):
    """The expo's default areas; an edition may configure a subset."""

    ADVANCED_MANUFACTURING = "ADVANCED_MANUFACTURING"
    CLEAN_ENERGY = "CLEAN_ENERGY"
    SMART_VEHICLES = "SMART_VEHICLES"
    DIGITAL_TECHNOLOGY = "DIGITAL_TECHNOLOGY"
    HEALTHY_LIVING = "HEALTHY_LIVING"
    GREEN_AGRICULTURE = "GREEN_AGRICULTURE"
    SUPPLY_CHAIN_SERVICES = "SUPPLY_CHAIN_SERVICES"


class ApplicationStatus(StrEnum):
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WAITLISTED = "WAITLISTED"
    CONTRACTED = "CONTRACTED"
    CONFIRMED = "CONFIRMED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"


class ConversionRefusalCode(StrEnum):
    """Why exhibitors refused the application an interest's conversion asked for
    (`ConversionRefused`): the code of the command API's refusal."""

    VALIDATION = "VALIDATION"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"


class WaitlistRemovalReason(StrEnum):
    """Why an application left the waitlist (`WaitlistEntryRemoved`)."""

    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"
    OFFERED = "OFFERED"  # a freed booth was offered to it


class RebookingStatus(StrEnum):
    """Where a re-booking offer stands: OFFERED until accepted, declined or expired."""

    OFFERED = "OFFERED"
    ACCEPTED = "ACCEPTED"
    DECLINED = "DECLINED"
    EXPIRED = "EXPIRED"
