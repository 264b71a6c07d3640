"""The public enums of the GraphQL API. Each is its owning service's own Python enum
(pavilion_contracts.<service>), made a GraphQL enum here, once: the gateway holds no
copy of their values, so a value added to a contract shows in the SDL."""

import strawberry
from pavilion_contracts.exhibitors import (
    ApplicationStatus,
    ConversionRefusalCode,
    RebookingStatus,
    SupplyChainArea,
)
from pavilion_contracts.notifications import (
    NotificationChannel,
    NotificationStatus,
    WebhookDeliveryStatus,
    WebhookEndpointStatus,
)
from pavilion_contracts.outreach import (
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
    "ApplicationStatus",
    "ConsentChannel",
    "ConsentPurpose",
    "ConversionRefusalCode",
    "FollowUpStatus",
    "ImpliedBy",
    "InterestKind",
    "InterestStage",
    "InvitationStatus",
    "LegalBasis",
    "NotificationChannel",
    "NotificationStatus",
    "OrganizationKind",
    "OutreachEventKind",
    "RebookingStatus",
    "SupplyChainArea",
    "TripStatus",
    "WebhookDeliveryStatus",
    "WebhookEndpointStatus",
]
for name in __all__:
    strawberry.enum(globals()[name])
