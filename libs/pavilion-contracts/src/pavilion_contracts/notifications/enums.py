"""The notifications service's public enums: its events, its admin API and the GraphQL
API spell their values so."""

from enum import StrEnum


class NotificationChannel(StrEnum):
    EMAIL = "EMAIL"
    WEBHOOK = "WEBHOOK"


class NotificationStatus(StrEnum):
    REQUESTED = "REQUESTED"
    SUPPRESSED = "SUPPRESSED"
    SENT = "SENT"
    FAILED = "FAILED"


class WebhookEndpointStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DISABLED = "DISABLED"
    DELETED = "DELETED"


class WebhookDeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    ABANDONED = "ABANDONED"
