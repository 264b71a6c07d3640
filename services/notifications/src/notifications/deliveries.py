"""Webhook endpoints and their deliveries.

Every event an endpoint subscribes to becomes one delivery (id = uuid5 of event and
endpoint: a redelivered event finds it). The deliverer posts due deliveries, signed
per Standard Webhooks with the same webhook-id on every attempt; a 2xx succeeds,
anything else is retried on the schedule, then abandoned (visible, and redeliverable
by hand). Rows are claimed with SKIP LOCKED, so several deliverers never post one
delivery at the same time.
"""

import asyncio
import json
import logging
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from uuid import UUID, uuid4, uuid5

import asyncpg
import httpx
from pavilion_core.clock import Clock
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.errors import NotFound

from notifications import events as e
from notifications.journal import append_event
from notifications.webhooks import RetrySchedule, check_url, new_secret, signed_headers, subscribed

log = logging.getLogger(__name__)
DELIVERY_NAMESPACE = UUID("7c2d9e40-1f3b-4a6c-8d5e-2b9f0a1c3e77")


async def register_endpoint(
    pool: Pool,
    url: str,
    event_types: list[str],
    description: str | None,
    *,
    allow_private: bool,
    now: datetime,
) -> tuple[str, str]:
    """Check the URL (resolving its host), store the endpoint; returns (id, secret)."""
    check_url(url, await _addresses(url), allow_private=allow_private)
    endpoint, secret = str(uuid4()), new_secret()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            """INSERT INTO webhook_endpoints (id, url, event_types, secret, description, created_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            endpoint,
            url,
            event_types,
            secret,
            description,
            now,
        )
        await append_event(
            conn,
            endpoint,
            Metadata(correlation_id=endpoint, actor="api"),
            e.WebhookEndpointRegistered(endpoint, url, event_types),
        )
    return endpoint, secret


async def _addresses(url: str) -> list[str]:
    host, port = urlsplit(url).hostname, urlsplit(url).port
    if not host:
        return []
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            host, port or 443, type=socket.SOCK_STREAM
        )
    except OSError:
        return []  # unresolvable now: check_url still validates the scheme and host
    return [str(info[4][0]) for info in infos]


async def enqueue(conn: Connection, event: CloudEvent, now: datetime) -> int:
    """One pending delivery per subscribed endpoint; returns how many were new."""
    endpoints = await conn.fetch("SELECT id, event_types FROM webhook_endpoints WHERE active")
    body = json.dumps(
        {
            "id": event.id,
            "type": event.type,
            "subject": event.subject,
            "time": event.time.isoformat(),
            "data": event.data,
        },
        separators=(",", ":"),
    )
    added = 0
    for endpoint in endpoints:
        if not subscribed(endpoint["event_types"], event.type):
            continue
        delivery = uuid5(DELIVERY_NAMESPACE, f"{event.id}/{endpoint['id']}")
        added += bool(
            await conn.fetchval(
                """INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, body,
                   status, next_attempt_at, created_at, updated_at)
               VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $6, $6)
               ON CONFLICT (id) DO NOTHING RETURNING true""",
                delivery,
                endpoint["id"],
                event.id,
                event.type,
                body,
                now,
            )
        )
    return added


@dataclass
class Deliverer:
    pool: Pool
    clock: Clock
    schedule: RetrySchedule
    http: httpx.AsyncClient

    async def deliver_due(self, limit: int = 50) -> int:
        """Attempt every due delivery once; returns how many were attempted."""
        attempted = 0
        while attempted < limit:
            async with self.pool.acquire() as conn, conn.transaction():
                row = await conn.fetchrow(
                    """SELECT d.id, d.endpoint_id, d.body, d.attempts, w.url, w.secret
                       FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
                       WHERE d.status = 'PENDING' AND d.next_attempt_at <= $1
                       ORDER BY d.next_attempt_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED""",
                    self.clock.now(),
                )
                if row is None:
                    return attempted
                await self._attempt(conn, row)
            attempted += 1
        return attempted

    async def _attempt(self, conn: Connection, row: asyncpg.Record) -> None:
        delivery, endpoint = str(row["id"]), str(row["endpoint_id"])
        now, attempt = self.clock.now(), row["attempts"] + 1
        # Signed with the real time, whatever the service's clock: receivers reject
        # timestamps far from their own (replay protection).
        headers = signed_headers(row["secret"], delivery, datetime.now(UTC), row["body"])
        status_code: int | None = None
        try:
            response = await self.http.post(
                str(row["url"]), content=str(row["body"]), headers=headers
            )
            status_code, error = response.status_code, None
            if not 200 <= response.status_code < 300:
                error = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            error = repr(exc)
        meta = Metadata(correlation_id=delivery, actor="notifications:webhooks")
        await append_event(
            conn,
            delivery,
            meta,
            e.WebhookDeliveryAttempted(delivery, endpoint, attempt, status_code, error),
        )
        if error is None:
            await self._set(conn, delivery, "SUCCEEDED", attempt, None, status_code, None)
            await append_event(
                conn, delivery, meta, e.WebhookDeliverySucceeded(delivery, endpoint, attempt)
            )
            return
        following = self.schedule.next_attempt(attempt, now)
        if following is None:
            await self._set(conn, delivery, "ABANDONED", attempt, None, status_code, error)
            await append_event(
                conn, delivery, meta, e.WebhookDeliveryAbandoned(delivery, endpoint, attempt, error)
            )
        else:
            await self._set(conn, delivery, "PENDING", attempt, following, status_code, error)

    async def _set(
        self,
        conn: Connection,
        delivery: str,
        status: str,
        attempts: int,
        following: datetime | None,
        status_code: int | None,
        error: str | None,
    ) -> None:
        await conn.execute(
            """UPDATE webhook_deliveries SET status = $2, attempts = $3, next_attempt_at = $4,
                   last_status = $5, last_error = $6, updated_at = $7 WHERE id = $1""",
            delivery,
            status,
            attempts,
            following,
            status_code,
            error,
            self.clock.now(),
        )


async def redeliver(pool: Pool, delivery: str, now: datetime) -> None:
    """Try a delivery again now (same webhook-id), whatever became of it."""
    done = await pool.execute(
        """UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = $2,
               updated_at = $2 WHERE id = $1""",
        delivery,
        now,
    )
    if done == "UPDATE 0":
        raise NotFound(f"no webhook delivery {delivery}")
