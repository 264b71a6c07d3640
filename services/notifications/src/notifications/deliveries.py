"""Webhook deliveries: one per event and subscribed endpoint, posted by the Deliverer.

A delivery's id (uuid5 of event and endpoint: a redelivered event finds it) is the
webhook-id of every attempt. A 2xx succeeds; anything else is retried on the
schedule, then abandoned (visible, and redeliverable by hand).

No database transaction or pooled connection is held across network I/O (a slow
endpoint would otherwise hold back everything that waits on those rows): a
deliverer claims due deliveries with a lease in one short statement (SKIP LOCKED, so
several deliverers never claim one delivery together), posts with nothing held, then
records the outcome in a second short transaction only while it still holds the
lease. A deliverer that dies mid-attempt leaves its lease to run out, and the
delivery is attempted again with the same webhook-id: at least once, and receivers
dedupe by webhook-id.
"""

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4, uuid5

import asyncpg
import httpx
from pavilion_contracts.notifications import events as e
from pavilion_core.aggregate import Event
from pavilion_core.clock import Clock
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.personal import Sealer

from notifications.journal import append_event
from notifications.posting import Outcome, post_once
from notifications.webhooks import (
    AddressPolicy,
    Resolver,
    RetrySchedule,
    signed_headers,
    subscribed,
    system_resolver,
)

log = logging.getLogger(__name__)
DELIVERY_NAMESPACE = UUID("7c2d9e40-1f3b-4a6c-8d5e-2b9f0a1c3e77")
_CLAIM = """
    WITH due AS (
        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id
        WHERE d.status = 'PENDING' AND d.next_attempt_at <= $1
          AND (d.leased_until IS NULL OR d.leased_until < now())
          AND w.active AND w.deleted_at IS NULL
        ORDER BY d.next_attempt_at LIMIT $2
        FOR UPDATE OF d SKIP LOCKED)
    UPDATE webhook_deliveries d SET lease_id = $3, leased_until = now() + make_interval(secs => $4)
    FROM due, webhook_endpoints w
    WHERE d.id = due.id AND w.id = d.endpoint_id
    RETURNING d.id, d.endpoint_id, d.body, d.attempts, w.url, w.secret"""
_RECORD = """
    UPDATE webhook_deliveries SET status = $3, attempts = $4, next_attempt_at = $5,
        last_status = $6, last_error = $7, updated_at = $8, lease_id = NULL, leased_until = NULL
    WHERE id = $1 AND lease_id = $2"""


async def active_endpoints(conn: Connection) -> list[asyncpg.Record]:
    """The endpoints deliveries go to (enabled, not deleted), with their event types."""
    return await conn.fetch(
        "SELECT id, event_types FROM webhook_endpoints WHERE active AND deleted_at IS NULL"
    )


async def enqueue(
    conn: Connection,
    event: CloudEvent,
    now: datetime,
    endpoints: Sequence[asyncpg.Record] | None = None,
) -> int:
    """One pending delivery per subscribed endpoint of `endpoints` (read once for a
    batch of events), or of the active ones; returns how many were new."""
    if endpoints is None:
        endpoints = await active_endpoints(conn)
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


@dataclass(frozen=True)
class Claimed:
    """A delivery this deliverer holds the lease of, with what posting it needs."""

    id: str
    endpoint_id: str
    url: str
    secret: str
    body: str
    attempts: int
    lease: UUID

    @classmethod
    def from_row(cls, row: asyncpg.Record, lease: UUID) -> "Claimed":
        return cls(
            str(row["id"]),
            str(row["endpoint_id"]),
            row["url"],
            row["secret"],
            row["body"],
            row["attempts"],
            lease,
        )


@dataclass
class Deliverer:
    """Posts due deliveries. `policy` and `resolver` decide, at every attempt, which
    addresses may be posted to; `deadline_seconds` bounds each attempt as a whole; a
    lease lasts the deadline plus `lease_margin_seconds` (PostgreSQL's clock)."""

    pool: Pool
    clock: Clock
    schedule: RetrySchedule
    http: httpx.AsyncClient
    sealer: Sealer
    policy: AddressPolicy = field(default_factory=AddressPolicy)
    resolver: Resolver = system_resolver
    deadline_seconds: float = 10.0
    lease_margin_seconds: float = 30.0

    async def deliver_due(self, limit: int = 50) -> int:
        """Claim up to `limit` due deliveries and attempt them all at once, so that a
        slow endpoint delays the others by one deadline at most; returns how many."""
        claimed = await self.claim(limit)
        done = await asyncio.gather(*map(self.attempt, claimed), return_exceptions=True)
        if failures := [outcome for outcome in done if isinstance(outcome, BaseException)]:
            raise failures[0]  # after the others have finished and recorded theirs
        return len(claimed)

    async def claim(self, limit: int) -> list[Claimed]:
        """Lease due deliveries of enabled endpoints (one statement, autocommitted)."""
        lease = uuid4()
        seconds = self.deadline_seconds + self.lease_margin_seconds
        rows = await self.pool.fetch(_CLAIM, self.clock.now(), limit, lease, seconds)
        return [Claimed.from_row(row, lease) for row in rows]

    async def attempt(self, delivery: Claimed) -> bool:
        """Post once, then record the outcome; False when the lease was lost meanwhile
        (another deliverer owns the delivery now: nothing is recorded)."""
        # Signed with the real time, whatever the service's clock: receivers reject
        # timestamps far from their own (replay protection).
        headers = signed_headers(delivery.secret, delivery.id, datetime.now(UTC), delivery.body)
        outcome = await post_once(
            self.http,
            delivery.url,
            delivery.body,
            headers,
            policy=self.policy,
            resolver=self.resolver,
            deadline=self.deadline_seconds,
        )
        return await self._record(delivery, outcome)

    async def _record(self, delivery: Claimed, outcome: Outcome) -> bool:
        attempt = delivery.attempts + 1
        status, following = self._settle(attempt, outcome)
        meta = Metadata(correlation_id=delivery.id, actor="notifications:webhooks")
        async with self.pool.acquire() as conn, conn.transaction():
            held = await conn.execute(
                _RECORD,
                UUID(delivery.id),
                delivery.lease,
                status,
                attempt,
                following,
                outcome.status_code,
                outcome.error,
                self.clock.now(),
            )
            if held == "UPDATE 0":
                log.warning("webhook lease lost, outcome dropped", extra={"delivery": delivery.id})
                return False
            for event in _events(delivery, attempt, status, outcome):
                await append_event(conn, delivery.id, meta, event, sealer=self.sealer)
        return True

    def _settle(self, attempt: int, outcome: Outcome) -> tuple[str, datetime | None]:
        """Every failure, a refusal included, follows the schedule (see post_once)."""
        if outcome.error is None:
            return "SUCCEEDED", None
        following = self.schedule.next_attempt(attempt, self.clock.now())
        return ("ABANDONED", None) if following is None else ("PENDING", following)


def _events(delivery: Claimed, attempt: int, status: str, outcome: Outcome) -> list[Event]:
    d, endpoint = delivery.id, delivery.endpoint_id
    done: list[Event] = [
        e.WebhookDeliveryAttempted(
            delivery_id=d,
            endpoint_id=endpoint,
            attempt=attempt,
            status_code=outcome.status_code,
            error=outcome.error,
        )
    ]
    if status == "SUCCEEDED":
        done.append(
            e.WebhookDeliverySucceeded(delivery_id=d, endpoint_id=endpoint, attempts=attempt)
        )
    elif status == "ABANDONED":
        done.append(
            e.WebhookDeliveryAbandoned(
                delivery_id=d,
                endpoint_id=endpoint,
                attempts=attempt,
                last_error=outcome.error or "failed",
            )
        )
    return done
