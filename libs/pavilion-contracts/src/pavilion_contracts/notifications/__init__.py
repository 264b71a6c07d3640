"""The notifications service's contract: its events, commands and public enums."""

from pavilion_contracts.notifications.enums import (
    NotificationChannel,
    NotificationStatus,
    SuppressionReason,
    WebhookDeliveryStatus,
    WebhookEndpointStatus,
)

__all__ = [
    "NotificationChannel",
    "NotificationStatus",
    "SuppressionReason",
    "WebhookDeliveryStatus",
    "WebhookEndpointStatus",
]
