"""How the notifications service's events change the read model: what was sent to
whom (or held back, or failed) and the webhook endpoints with their state. Opt-outs,
reminders and webhook deliveries are kept in the timeline only (an endpoint's
deliveries are read from the notifications service: they change by the second)."""

from pavilion_contracts.notifications import NotificationStatus
from pavilion_core.envelope import CloudEvent

from gateway.rows import Apply, Writer, timeline_only, typed


async def requested(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO notifications (id, channel, recipient, template, rule, status,
                                      related_id, created_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, 'REQUESTED', $6, $7, $7, $8)
           ON CONFLICT (id) DO NOTHING""",
        d["notificationId"],
        d["channel"],
        d["recipient"],
        d["template"],
        d["rule"],
        d["relatedId"],
        event.time,
        event.stream_version,
    )


async def suppressed(conn: Writer, event: CloudEvent) -> None:
    """A suppression is decided instead of a request: the row starts here."""
    d = event.data
    await conn.execute(
        """INSERT INTO notifications (id, channel, recipient, rule, status, related_id,
                                      reason, created_at, updated_at, version)
           VALUES ($1, 'EMAIL', $2, $3, 'SUPPRESSED', $4, $5, $6, $6, $7)
           ON CONFLICT (id) DO UPDATE SET status = 'SUPPRESSED', reason = EXCLUDED.reason,
                                          updated_at = EXCLUDED.updated_at,
                                          version = EXCLUDED.version
           WHERE notifications.version < EXCLUDED.version""",
        d["notificationId"],
        d["recipient"],
        d["rule"],
        d["relatedId"],
        d["reason"],
        event.time,
        event.stream_version,
    )


def outcome(status: str, reason_field: str | None = None) -> Apply:
    async def apply(conn: Writer, event: CloudEvent) -> None:
        await conn.execute(
            """UPDATE notifications SET status = $2, reason = coalesce($3, reason),
                                        updated_at = $4, version = $5
               WHERE id = $1 AND version < $5""",
            event.data["notificationId"],
            status,
            event.data.get(reason_field) if reason_field else None,
            event.time,
            event.stream_version,
        )

    return apply


async def endpoint_registered(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO webhook_endpoints (id, url, event_types, registered_at, updated_at,
                                          version)
           VALUES ($1, $2, $3, $4, $4, $5) ON CONFLICT (id) DO NOTHING""",
        d["endpointId"],
        d["url"],
        list(d["eventTypes"]),
        event.time,
        event.stream_version,
    )


def endpoint(change: str) -> Apply:
    """An ADMIN's change of an endpoint: `change` sets what it changes."""

    async def apply(conn: Writer, event: CloudEvent) -> None:
        await conn.execute(
            f"""UPDATE webhook_endpoints SET {change}, updated_at = $2, version = $3
                WHERE id = $1 AND version < $3""",
            event.data["endpointId"],
            event.time,
            event.stream_version,
        )

    return apply


APPLIERS = typed(
    "notifications",
    {
        "NotificationRequested": requested,
        "NotificationSuppressed": suppressed,
        "NotificationSent": outcome(NotificationStatus.SENT),
        "NotificationFailed": outcome(NotificationStatus.FAILED, "error"),
        "WebhookEndpointRegistered": endpoint_registered,
        "WebhookEndpointDisabled": endpoint("status = 'DISABLED'"),
        "WebhookEndpointEnabled": endpoint("status = 'ACTIVE'"),
        "WebhookSecretRotated": endpoint("secret_rotated_at = $2"),
        "WebhookEndpointDeleted": endpoint("status = 'DELETED'"),
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
