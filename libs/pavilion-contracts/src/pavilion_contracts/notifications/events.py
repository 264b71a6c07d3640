"""The notifications service's events, each at its latest version: generated from
schemas/events by python -m pavilion_contracts.events; do not edit."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pavilion_core.aggregate import Event


@dataclass(frozen=True, kw_only=True)
class NotificationFailed(Event):
    """The message could not be rendered or sent. Stream: the notification (its id)."""

    notification_id: str
    recipient: str
    error: str


@dataclass(frozen=True, kw_only=True)
class NotificationRequested(Event):
    """A rule decided to notify a recipient; recorded before anything is sent. Stream: the
    notification (its id).
    """

    notification_id: str
    rule: str
    template: str
    channel: str
    purpose: str
    recipient: str
    related_id: str | None
    trigger_event_id: str


@dataclass(frozen=True, kw_only=True)
class NotificationSent(Event):
    """The SMTP server accepted the message. Stream: the notification (its id)."""

    notification_id: str
    recipient: str
    language: str


@dataclass(frozen=True, kw_only=True)
class NotificationSuppressed(Event):
    """The message was not sent: no valid consent, or the address opted out. Stream: the
    notification (its id).
    """

    notification_id: str
    rule: str
    recipient: str
    related_id: str | None
    trigger_event_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecipientOptedIn(Event):
    """The address asked to receive mail again (an explicit request; nothing else lifts an
    opt-out). Stream: recipient:<keyed hash of the address>.
    """

    address: str
    opted_in_at: str
    evidence: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecipientOptedOut(Event):
    """The address unsubscribed: no mail of any kind goes to it any more. Stream:
    recipient:<keyed hash of the address>.
    """

    address: str
    opted_out_at: str


@dataclass(frozen=True, kw_only=True)
class ReminderFired(Event):
    """The reminder was due and handed to the notifier (once). Stream: the reminder (its id)."""

    reminder_id: str
    event_id: str
    contact_id: str
    rule: str


@dataclass(frozen=True, kw_only=True)
class ReminderScheduled(Event):
    """A reminder before an outreach event for an accepted invitee, or its new time when the
    event moved. Stream: the reminder (its id).
    """

    reminder_id: str
    event_id: str
    contact_id: str
    rule: str
    due_at: str


@dataclass(frozen=True, kw_only=True)
class WebhookDeliveryAbandoned(Event):
    """Every attempt of the schedule failed; redeliverable by hand. Stream: the delivery (its
    id, which is also the webhook-id).
    """

    delivery_id: str
    endpoint_id: str
    attempts: int
    last_error: str


@dataclass(frozen=True, kw_only=True)
class WebhookDeliveryAttempted(Event):
    """One attempt to post a delivery, with its outcome. Stream: the delivery (its id, which is
    also the webhook-id).
    """

    delivery_id: str
    endpoint_id: str
    attempt: int
    status_code: int | None
    error: str | None


@dataclass(frozen=True, kw_only=True)
class WebhookDeliverySucceeded(Event):
    """The endpoint answered 2xx. Stream: the delivery (its id, which is also the webhook-id)."""

    delivery_id: str
    endpoint_id: str
    attempts: int


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDeleted(Event):
    """Nothing more is delivered to the endpoint; its pending deliveries are abandoned. Stream:
    the endpoint (its id).
    """

    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointDisabled(Event):
    """The endpoint gets no new deliveries, and its pending ones wait until it is enabled again.
    Stream: the endpoint (its id).
    """

    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointEnabled(Event):
    """The endpoint gets deliveries again, its pending ones first. Stream: the endpoint (its
    id).
    """

    endpoint_id: str


@dataclass(frozen=True, kw_only=True)
class WebhookEndpointRegistered(Event):
    """A partner's endpoint subscribed to event types (the secret is never in an event). Stream:
    the endpoint (its id).
    """

    endpoint_id: str
    url: str
    event_types: list[str]


@dataclass(frozen=True, kw_only=True)
class WebhookSecretRotated(Event):
    """A new secret signs every attempt from now on, the old one none (the secret is never in an
    event). Stream: the endpoint (its id).
    """

    endpoint_id: str


EVENTS: dict[str, type[Event]] = {
    "NotificationFailed": NotificationFailed,
    "NotificationRequested": NotificationRequested,
    "NotificationSent": NotificationSent,
    "NotificationSuppressed": NotificationSuppressed,
    "RecipientOptedIn": RecipientOptedIn,
    "RecipientOptedOut": RecipientOptedOut,
    "ReminderFired": ReminderFired,
    "ReminderScheduled": ReminderScheduled,
    "WebhookDeliveryAbandoned": WebhookDeliveryAbandoned,
    "WebhookDeliveryAttempted": WebhookDeliveryAttempted,
    "WebhookDeliverySucceeded": WebhookDeliverySucceeded,
    "WebhookEndpointDeleted": WebhookEndpointDeleted,
    "WebhookEndpointDisabled": WebhookEndpointDisabled,
    "WebhookEndpointEnabled": WebhookEndpointEnabled,
    "WebhookEndpointRegistered": WebhookEndpointRegistered,
    "WebhookSecretRotated": WebhookSecretRotated,
}


def from_data(event_type: str, data: Mapping[str, Any]) -> Event:
    """The typed event of `event_type` from its (latest-version, unsealed) data."""
    return EVENTS[event_type].from_data(data)
