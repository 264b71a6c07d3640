"""GraphQL types of the outreach feature; every relation goes through a DataLoader."""

from gateway.enums import (
    FollowUpStatus,
    InterestKind,
    InterestStage,
    InvitationStatus,
    OrganizationKind,
    OutreachEventKind,
    TripStatus,
)
from gateway.outreach.columns import (
    CONTACT,
    DELEGATION,
    EVENT,
    EVENTS,
    FOLLOW_UP,
    INTEREST,
    INTEREST_ORDER,
    ORGANIZATION,
    TRIP,
    select,
)
from gateway.outreach.leads import FollowUp, Interest
from gateway.outreach.parties import Consent, Contact, Organization
from gateway.outreach.travel import (
    Delegation,
    Invitation,
    OutreachEvent,
    Trip,
    TripStop,
)

__all__ = [
    "CONTACT",
    "DELEGATION",
    "EVENT",
    "EVENTS",
    "FOLLOW_UP",
    "INTEREST",
    "INTEREST_ORDER",
    "ORGANIZATION",
    "TRIP",
    "Consent",
    "Contact",
    "Delegation",
    "FollowUp",
    "FollowUpStatus",
    "Interest",
    "InterestKind",
    "InterestStage",
    "Invitation",
    "InvitationStatus",
    "Organization",
    "OrganizationKind",
    "OutreachEvent",
    "OutreachEventKind",
    "Trip",
    "TripStatus",
    "TripStop",
    "select",
]
