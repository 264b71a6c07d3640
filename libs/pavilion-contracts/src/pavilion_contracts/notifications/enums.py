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


class SuppressionReason(StrEnum):
    """Why a notification was not sent (`NotificationSuppressed`)."""

    OPTED_OUT = "OPTED_OUT"  # unsubscribed from all mail: nothing, not even transactional
    NO_CONSENT = "NO_CONSENT"  # marketing without consent for the channel
    CONSENT_EXPIRED = "CONSENT_EXPIRED"  # implied consent past its expiry counts as none
    # no address known for the contact yet (its events not seen, nor carried by the trigger)
    UNKNOWN_RECIPIENT = "UNKNOWN_RECIPIENT"
