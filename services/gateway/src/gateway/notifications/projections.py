"""How the notifications service's events change the read model: what was sent to
whom (or held back, or failed) and the webhook endpoints with their state. Opt-outs,
reminders and webhook deliveries are kept in the timeline only (an endpoint's
deliveries are read from the notifications service: they change by the second).
Each applier reads its event as the contract's type (`from_data`)."""

from pavilion_contracts.notifications import NotificationStatus
from pavilion_contracts.notifications import events as e
from pavilion_core.envelope import CloudEvent

from gateway.rows import Apply, Writer, timeline_only, typed


async def requested(conn: Writer, event: CloudEvent) -> None:
    d = e.NotificationRequested.from_data(event.data)
    await conn.execute(
        """INSERT INTO notifications (id, channel, recipient, template, rule, status,
                                      related_id, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, 'REQUESTED', $6, $7, $7, $8)
           ON CONFLICT (id) DO NOTHING""",
        d.notification_id,
        d.channel,
        d.recipient,
        d.template,
        d.rule,
        d.related_id,
        event.time,
        event.stream_version,
    )


async def suppressed(conn: Writer, event: CloudEvent) -> None:
    """A suppression is decided instead of a request: the row starts here."""
    d = e.NotificationSuppressed.from_data(event.data)
    await conn.execute(
        """INSERT INTO notifications (id, channel, recipient, rule, status, related_id,
                                      reason, created_at, updated_at, version)
           VALUES ($1, 'EMAIL', $2, $3, 'SUPPRESSED', $4, $5, $6, $6, $7)
           ON CONFLICT (id) DO UPDATE SET status = 'SUPPRESSED', reason = EXCLUDED.reason,
                                          updated_at = EXCLUDED.updated_at,
                                          version = EXCLUDED.version
           WHERE notifications.version < EXCLUDED.version""",
        d.notification_id,
        d.recipient,
        d.rule,
        d.related_id,
        d.reason,
        event.time,
        event.stream_version,
    )


async def _outcome(
    conn: Writer, event: CloudEvent, notification_id: str, status: str, reason: str | None
) -> None:
    await conn.execute(
        """UPDATE notifications SET status = $2, reason = coalesce($3, reason),
                                    updated_at = $4, version = $5
           WHERE id = $1 AND version < $5""",
        notification_id,
        status,
        reason,
        event.time,
        event.stream_version,
    )


async def sent(conn: Writer, event: CloudEvent) -> None:
    d = e.NotificationSent.from_data(event.data)
    await _outcome(conn, event, d.notification_id, NotificationStatus.SENT, None)


async def failed(conn: Writer, event: CloudEvent) -> None:
    d = e.NotificationFailed.from_data(event.data)
    await _outcome(conn, event, d.notification_id, NotificationStatus.FAILED, d.error)


async def endpoint_registered(conn: Writer, event: CloudEvent) -> None:
    d = e.WebhookEndpointRegistered.from_data(event.data)
    await conn.execute(
        """INSERT INTO webhook_endpoints (id, url, event_types, registered_at, updated_at,
                                          version)
           VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (id) DO NOTHING""",
        d.endpoint_id,
        d.url,
        list(d.event_types),
        event.time,
        event.stream_version,
    )


EndpointChange = (
    e.WebhookEndpointDisabled
    | e.WebhookEndpointEnabled
    | e.WebhookSecretRotated
    | e.WebhookEndpointDeleted
)


def endpoint(kind: type[EndpointChange], change: str) -> Apply:
    """An ADMIN's change of an endpoint (an event of `kind`): `change` sets what it
    changes."""

    async def apply(conn: Writer, event: CloudEvent) -> None:
        await conn.execute(
            f"""UPDATE webhook_endpoints SET {change}, updated_at = $2, version = $3
                WHERE id = $1 AND version < $3""",
            kind.from_data(event.data).endpoint_id,
            event.time,
            event.stream_version,
        )

    return apply


APPLIERS = typed(
    "notifications",
    {
        "NotificationRequested": requested,
        "NotificationSuppressed": suppressed,
        "NotificationSent": sent,
        "NotificationFailed": failed,
        "WebhookEndpointRegistered": endpoint_registered,
        "WebhookEndpointDisabled": endpoint(e.WebhookEndpointDisabled, "status = 'DISABLED'"),
        "WebhookEndpointEnabled": endpoint(e.WebhookEndpointEnabled, "status = 'ACTIVE'"),
        "WebhookSecretRotated": endpoint(e.WebhookSecretRotated, "secret_rotated_at = $2"),
        "WebhookEndpointDeleted": endpoint(e.WebhookEndpointDeleted, "status = 'DELETED'"),
        **dict.fromkeys(
            [
                "RecipientOptedIn",
                "RecipientOptedOut",
                "ReminderScheduled",
                "ReminderFired",
                "WebhookDeliveryAttempted",
                "WebhookDeliverySucceeded",
                "WebhookDeliveryAbandoned",
            ],
            timeline_only,
        ),
    },
)
