"""The outreach service's contract: its events, commands and public enums."""

from pavilion_contracts.outreach.enums import (
    ConsentChannel,
    ConsentPurpose,
    FollowUpStatus,
    ImpliedBy,
    InterestKind,
    InterestStage,
    InvitationStatus,
    LegalBasis,
    OrganizationKind,
    OutreachEventKind,
    TripStatus,
)

__all__ = [
    "ConsentChannel",
    "ConsentPurpose",
    "FollowUpStatus",
    "ImpliedBy",
    "InterestKind",
    "InterestStage",
    "InvitationStatus",
    "LegalBasis",
    "OrganizationKind",
    "OutreachEventKind",
    "TripStatus",
]
