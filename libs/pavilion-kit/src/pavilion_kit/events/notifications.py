"""The events on pavilion.notifications.v1, every published version.

A personal property is the sealed value (`pii:1:…`) or None, as published.
Generated from schemas/events by python -m pavilion_contracts.kit; do not edit."""

from dataclasses import dataclass

from pavilion_kit.event import Event


@dataclass(frozen=True, kw_only=True)
class NotificationFailedV1(Event):
    """The message could not be rendered or sent. Stream: the notification (its id)."""

    notification_id: str
    recipient: str | None
    error: str | None


@dataclass(frozen=True, kw_only=True)
class NotificationRequestedV1(Event):
    """A rule decided to notify a recipient; recorded before anything is sent. Stream: the
    notification (its id).
    """

    notification_id: str
    rule: str
    template: str
    channel: str
    purpose: str
    recipient: str | None
    related_id: str | None
    trigger_event_id: str


@dataclass(frozen=True, kw_only=True)
class NotificationSentV1(Event):
    """The SMTP server accepted the message. Stream: the notification (its id)."""

    notification_id: str
    recipient: str | None
    language: str


@dataclass(frozen=True, kw_only=True)
class NotificationSuppressedV1(Event):
    """The message was not sent: no valid consent, or the address opted out. Stream: the
    notification (its id).
    """

    notification_id: str
    rule: str
    recipient: str | None
    related_id: str | None
    trigger_event_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecipientOptedInV1(Event):
    """The address asked to receive mail again (an explicit request; nothing else lifts an
    opt-out). Stream: recipient:<keyed hash of the address>.
    """

    address: str | None
    opted_in_at: str
    evidence: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecipientOptedOutV1(Event):
    """The address unsubscribed: no mail of any kind goes to it any more. Stream:
    recipient:<keyed hash of the address>.
    """

    address: str | None
    opted_out_at: str


@dataclass(frozen=True, kw_only=True)
class ReminderFiredV1(Event):
    """The reminder was due and handed to the notifier (once). Stream: the reminder (its id)."""

    reminder_id: str
    event_id: str
    contact_id: str
    rule: str


@dataclass(frozen=True, kw_only=True)
class ReminderScheduledV1(Event):
    """A reminder before an outreach event for an accepted invitee, or its new time when the
    event moved. Stream: the reminder (its id).
    """

    reminder_id: str
    event_id: str
    contact_id: str
    rule: str
    due_at: str


@dataclass(frozen=True, kw_only=True)
class WebhookDeliveryAbandonedV1(Event):
    """Every attempt of the schedule failed; redeliverable by hand. Stream: the delivery (its
    id, which is also the webhook-id).
    """

    delivery_id: str
    endpoint_id: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, kw_only=True)
class WebhookDeliveryAttemptedV1(Event):
    """One attempt to post a delivery, with its outcome. Stream: the delivery (its id, which is
    also the webhook-id).
    """

    delivery_id: str
    endpoint_id: str
    attempt: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, kw_only=True)
class WebhookDeliverySucceededV1(Event):
    """The endpoint answered 2xx. Stream: the delivery (its id, which is also the webhook-id)."""

    delivery_id: str
    endpoint_id: str
    attempts: int


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDeletedV1(Event):
    """Nothing more is delivered to the endpoint; its pending deliveries are abandoned. Stream:
    the endpoint (its id).
    """

    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabledV1(Event):
    """The endpoint gets no new deliveries, and its pending ones wait until it is enabled again.
    Stream: the endpoint (its id).
    """

    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointEnabledV1(Event):
    """The endpoint gets deliveries again, its pending ones first. Stream: the endpoint (its
    id).
    """

    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointRegisteredV1(Event):
    """A partner's endpoint subscribed to event types (the secret is never in an event). Stream:
    the endpoint (its id).
    """

    endpoint_id: str
    url: str
    event_types: list[str]


@dataclass(frozen=True, kw_only=True)
class WebhookSecretRotatedV1(Event):
    """A new secret signs every attempt from now on, the old one none (the secret is never in an
    event). Stream: the endpoint (its id).
    """

    endpoint_id: str


EVENTS: dict[str, type[Event]] = {
    "pavilion.notifications.NotificationFailed.v1": NotificationFailedV1,
    "pavilion.notifications.NotificationRequested.v1": NotificationRequestedV1,
    "pavilion.notifications.NotificationSent.v1": NotificationSentV1,
    "pavilion.notifications.NotificationSuppressed.v1": NotificationSuppressedV1,
    "pavilion.notifications.RecipientOptedIn.v1": RecipientOptedInV1,
    "pavilion.notifications.RecipientOptedOut.v1": RecipientOptedOutV1,
    "pavilion.notifications.ReminderFired.v1": ReminderFiredV1,
    "pavilion.notifications.ReminderScheduled.v1": ReminderScheduledV1,
    "pavilion.notifications.WebhookDeliveryAbandoned.v1": WebhookDeliveryAbandonedV1,
    "pavilion.notifications.WebhookDeliveryAttempted.v1": WebhookDeliveryAttemptedV1,
    "pavilion.notifications.WebhookDeliverySucceeded.v1": WebhookDeliverySucceededV1,
    "pavilion.notifications.WebhookEndpointDeleted.v1": WebhookEndpointDeletedV1,
    "pavilion.notifications.WebhookEndpointDisabled.v1": WebhookEndpointDisabledV1,
    "pavilion.notifications.WebhookEndpointEnabled.v1": WebhookEndpointEnabledV1,
    "pavilion.notifications.WebhookEndpointRegistered.v1": WebhookEndpointRegisteredV1,
    "pavilion.notifications.WebhookSecretRotated.v1": WebhookSecretRotatedV1,
}
