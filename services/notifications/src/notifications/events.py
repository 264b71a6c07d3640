"""Events the notifications service records about what it did, published to
pavilion.notifications.v1 through its outbox. Stream: the notification (its id)."""

from dataclasses import dataclass

from pavilion_core.aggregate import Event


@dataclass(frozen=True)
class NotificationRequested(Event):
    notification_id: str
    rule: str
    template: str
    channel: str
    purpose: str
    recipient: str
    related_id: str | None
    trigger_event_id: str


@dataclass(frozen=True)
class NotificationSuppressed(Event):
    notification_id: str
    rule: str
    recipient: str
    related_id: str | None
    trigger_event_id: str
    reason: str


@dataclass(frozen=True)
class NotificationSent(Event):
    notification_id: str
    recipient: str
    language: str


@dataclass(frozen=True)
class NotificationFailed(Event):
    notification_id: str
    recipient: str
    error: str


@dataclass(frozen=True)
class RecipientOptedOut(Event):
    """Stream: recipient:<keyed hash of the address>. No mail of any kind goes to the
    address any more."""

    address: str
    opted_out_at: str


@dataclass(frozen=True)
class RecipientOptedIn(Event):
    """Stream: recipient:<keyed hash of the address>. The address asked to receive mail again."""

    address: str
    opted_in_at: str
    evidence: str | None = None  # what the recipient said or signed, as recorded


@dataclass(frozen=True)
class WebhookEndpointRegistered(Event):
    """Stream: the endpoint (its id). The secret is never in an event."""

    endpoint_id: str
    url: str
    event_types: list[str]


@dataclass(frozen=True)
class WebhookEndpointDisabled(Event):
    """Stream: the endpoint. No new deliveries; pending ones wait until enabled."""

    endpoint_id: str


@dataclass(frozen=True)
class WebhookEndpointEnabled(Event):
    """Stream: the endpoint. Deliveries resume, pending ones first."""

    endpoint_id: str


@dataclass(frozen=True)
class WebhookSecretRotated(Event):
    """Stream: the endpoint. A new secret signs from now on (never in an event)."""

    endpoint_id: str


@dataclass(frozen=True)
class WebhookEndpointDeleted(Event):
    """Stream: the endpoint. Nothing more is delivered; pending deliveries abandoned."""

    endpoint_id: str


@dataclass(frozen=True)
class WebhookDeliveryAttempted(Event):
    """Stream: the delivery (its id, which is also the webhook-id)."""

    delivery_id: str
    endpoint_id: str
    attempt: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True)
class WebhookDeliverySucceeded(Event):
    delivery_id: str
    endpoint_id: str
    attempts: int


@dataclass(frozen=True)
class WebhookDeliveryAbandoned(Event):
    delivery_id: str
    endpoint_id: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class ReminderScheduled(Event):
    """Stream: the reminder (its id). Also when it moves with its event."""

    reminder_id: str
    event_id: str
    contact_id: str
    rule: str
    due_at: str


@dataclass(frozen=True)
class ReminderFired(Event):
    reminder_id: str
    event_id: str
    contact_id: str
    rule: str
