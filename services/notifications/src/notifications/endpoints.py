"""Webhook endpoints as administrators manage them (the gateway exposes these to
ADMIN): register, disable, enable, rotate the secret, delete, list; an endpoint's
deliveries, and redelivery by hand.

Each change of an endpoint appends its event to the endpoint's stream (the stream id
is the endpoint's id) in the same transaction as the change, with the caller's
metadata (who acted), and returns the stream's new version: the gateway answers once
its read model shows that version. A secret is shown once, by register and rotate,
and is never in an event. A deleted endpoint is gone for every function but the
history of its deliveries; an unknown one raises NotFound.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid4

import asyncpg
from pavilion_contracts.notifications import WebhookDeliveryStatus
from pavilion_contracts.notifications import events as e
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import Metadata
from pavilion_core.errors import InvalidTransition, InvalidValue, NotFound
from pavilion_core.eventstore import IdempotencyKey, WrongExpectedVersion

from notifications.journal import append_event
from notifications.webhooks import (
    AddressPolicy,
    Resolver,
    addresses_of,
    check_url,
    new_secret,
    system_resolver,
)

STATUSES = tuple(WebhookDeliveryStatus)
LOOKUP_SECONDS = 5.0  # registration's early check does not wait on a slow DNS for long
DeliveryCursor = tuple[datetime, str]  # (created_at, id) of the last delivery seen
DELIVERY = """id::text AS id, endpoint_id::text AS endpoint_id, event_id, event_type, status,
    attempts, next_attempt_at, last_status, last_error, created_at, updated_at"""


@dataclass(frozen=True)
class NewSecret:
    """A secret to show once, and the endpoint stream's version that recorded it."""

    endpoint_id: str
    secret: str
    version: int


@dataclass(frozen=True)
class EndpointView:
    id: str
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    created_at: datetime


@dataclass(frozen=True)
class DeliveryView:
    id: str
    endpoint_id: str
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def cursor(self) -> DeliveryCursor:
        return self.created_at, self.id


async def register_endpoint(
    pool: Pool,
    url: str,
    event_types: list[str],
    description: str | None,
    *,
    policy: AddressPolicy,
    meta: Metadata,
    now: datetime,
    resolver: Resolver = system_resolver,
    once: IdempotencyKey | None = None,
) -> NewSecret:
    """Check the URL now, for early feedback (every attempt checks it again), and
    store the endpoint with a new secret."""
    await _check_addresses(url, policy, resolver)
    endpoint, secret = str(uuid4()), new_secret()
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            """INSERT INTO webhook_endpoints (id, url, event_types, secret, description, created_at)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            UUID(endpoint),
            url,
            event_types,
            secret,
            description,
            now,
        )
        registered = e.WebhookEndpointRegistered(
            endpoint_id=endpoint, url=url, event_types=event_types
        )
        version = await append_event(conn, endpoint, meta, registered, once)
    return NewSecret(endpoint, secret, version)


async def _check_addresses(url: str, policy: AddressPolicy, resolver: Resolver) -> None:
    """The delivery-time policy, applied to what the host resolves to now. A host that
    does not resolve (yet), or not quickly, is accepted: attempts will tell."""
    parsed = check_url(url)
    try:
        async with asyncio.timeout(LOOKUP_SECONDS):
            addresses = await addresses_of(parsed, resolver)
    except (OSError, ValueError):  # TimeoutError is an OSError
        return
    if (why := policy.refusal(parsed.raw_host.decode("ascii"), addresses)) is not None:
        raise InvalidValue("url", f"{why}: webhooks go to public addresses only")


async def disable_endpoint(
    pool: Pool,
    endpoint: str,
    meta: Metadata,
    once: IdempotencyKey | None = None,
    expected: int | None = None,
) -> int:
    """No new deliveries, and pending ones are not attempted until it is enabled
    again. Already disabled: nothing is appended; the current version is returned."""
    return await _set_enabled(pool, endpoint, meta, once, expected, enabled=False)


async def enable_endpoint(
    pool: Pool,
    endpoint: str,
    meta: Metadata,
    once: IdempotencyKey | None = None,
    expected: int | None = None,
) -> int:
    """Deliveries resume, the pending ones first (they are due). Already enabled:
    nothing is appended; the current version is returned."""
    return await _set_enabled(pool, endpoint, meta, once, expected, enabled=True)


async def _set_enabled(
    pool: Pool,
    endpoint: str,
    meta: Metadata,
    once: IdempotencyKey | None,
    expected: int | None,
    *,
    enabled: bool,
) -> int:
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, endpoint, expected)
        stream = str(row["id"])
        if row["active"] == enabled:
            return await _version(conn, stream)
        await conn.execute(
            "UPDATE webhook_endpoints SET active = $2 WHERE id = $1", row["id"], enabled
        )
        changed = (
            e.WebhookEndpointEnabled(endpoint_id=stream)
            if enabled
            else e.WebhookEndpointDisabled(endpoint_id=stream)
        )
        return await append_event(conn, stream, meta, changed, once)


async def rotate_secret(
    pool: Pool,
    endpoint: str,
    meta: Metadata,
    once: IdempotencyKey | None = None,
    expected: int | None = None,
) -> NewSecret:
    """A new secret signs every attempt from now on, the old one none (an attempt
    already in flight may still arrive signed with the old one)."""
    secret = new_secret()
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, endpoint, expected)
        await conn.execute(
            "UPDATE webhook_endpoints SET secret = $2 WHERE id = $1", row["id"], secret
        )
        stream = str(row["id"])
        version = await append_event(
            conn, stream, meta, e.WebhookSecretRotated(endpoint_id=stream), once
        )
    return NewSecret(stream, secret, version)


async def delete_endpoint(
    pool: Pool,
    endpoint: str,
    meta: Metadata,
    now: datetime,
    once: IdempotencyKey | None = None,
    expected: int | None = None,
) -> int:
    """Nothing more is delivered to it. The row stays, marked deleted, so that its
    deliveries keep their history; the pending ones are abandoned, saying why (one
    WebhookEndpointDeleted explains them all, rather than an event per delivery), and
    an attempt in flight loses its lease, so its outcome is not recorded."""
    async with pool.acquire() as conn, conn.transaction():
        row = await _locked(conn, endpoint, expected)
        await conn.execute(
            "UPDATE webhook_endpoints SET deleted_at = $2 WHERE id = $1", row["id"], now
        )
        await conn.execute(
            """UPDATE webhook_deliveries SET status = 'ABANDONED', next_attempt_at = NULL,
                   last_error = 'abandoned: the endpoint was deleted', updated_at = $2,
                   lease_id = NULL, leased_until = NULL
               WHERE endpoint_id = $1 AND status = 'PENDING'""",
            row["id"],
            now,
        )
        stream = str(row["id"])
        return await append_event(
            conn, stream, meta, e.WebhookEndpointDeleted(endpoint_id=stream), once
        )


async def _locked(conn: Connection, endpoint: str, expected: int | None) -> asyncpg.Record:
    """The endpoint's row, locked until the transaction ends: changes of one endpoint
    are serialised, and its events appended in the order they were made. A caller that
    `expected` another version is refused (CONFLICT), even where nothing would change."""
    row = await conn.fetchrow(
        "SELECT id, active FROM webhook_endpoints WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
        _uuid(endpoint, "webhook endpoint"),
    )
    if row is None:
        raise NotFound(f"no webhook endpoint {endpoint}")
    if expected is not None and (version := await _version(conn, str(row["id"]))) != expected:
        raise WrongExpectedVersion(str(row["id"]), expected, version)
    return row


async def _version(conn: Connection, stream: str) -> int:
    return int(await conn.fetchval("SELECT version FROM streams WHERE stream_id = $1", stream))


async def current_secret(pool: Pool, endpoint: str) -> str:
    """What signs the endpoint's deliveries now (a retried registration or rotation is
    answered with it)."""
    secret = await pool.fetchval(
        "SELECT secret FROM webhook_endpoints WHERE id = $1", _uuid(endpoint, "webhook endpoint")
    )
    if secret is None:
        raise NotFound(f"no webhook endpoint {endpoint}")
    return str(secret)


def _uuid(text: str, what: str) -> UUID:
    try:
        return UUID(text)
    except ValueError:
        raise NotFound(f"no {what} {text}") from None


async def list_endpoints(pool: Pool) -> list[EndpointView]:
    """Every endpoint not deleted, oldest first (never their secrets)."""
    rows = await pool.fetch(
        """SELECT id::text AS id, url, event_types, description, active AS enabled, created_at
           FROM webhook_endpoints WHERE deleted_at IS NULL ORDER BY created_at, id"""
    )
    return [EndpointView(**dict(row)) for row in rows]


async def list_deliveries(
    pool: Pool,
    endpoint: str,
    *,
    status: str | None = None,
    after: DeliveryCursor | None = None,
    limit: int = 50,
) -> list[DeliveryView]:
    """An endpoint's deliveries (a deleted one's too: history), newest first, in pages
    of `limit` that continue after the `cursor` of the last one seen."""
    if status is not None and status not in STATUSES:
        raise InvalidValue("status", f"one of {', '.join(STATUSES)}")
    if not 1 <= limit <= 500:
        raise InvalidValue("limit", "between 1 and 500")
    key = _uuid(endpoint, "webhook endpoint")
    if not await pool.fetchval("SELECT true FROM webhook_endpoints WHERE id = $1", key):
        raise NotFound(f"no webhook endpoint {endpoint}")
    rows = await pool.fetch(
        f"""SELECT {DELIVERY} FROM webhook_deliveries
           WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)
             AND ($3::timestamptz IS NULL OR (created_at, id) < ($3, $4::uuid))
           ORDER BY created_at DESC, id DESC LIMIT $5""",
        key,
        status,
        after[0] if after else None,
        _cursor_id(after),
        limit,
    )
    return [DeliveryView(**dict(row)) for row in rows]


async def count_deliveries(pool: Pool, endpoint: str, *, status: str | None = None) -> int:
    """How many deliveries `list_deliveries` pages through."""
    return int(
        await pool.fetchval(
            """SELECT count(*) FROM webhook_deliveries
               WHERE endpoint_id = $1 AND ($2::text IS NULL OR status = $2)""",
            _uuid(endpoint, "webhook endpoint"),
            status,
        )
    )


async def delivery(pool: Pool, delivery: str) -> DeliveryView | None:
    row = await pool.fetchrow(
        f"SELECT {DELIVERY} FROM webhook_deliveries WHERE id = $1",
        _uuid(delivery, "webhook delivery"),
    )
    return DeliveryView(**dict(row)) if row else None


def _cursor_id(after: DeliveryCursor | None) -> UUID | None:
    try:
        return UUID(after[1]) if after else None
    except ValueError:
        raise InvalidValue("after", "not the cursor of a delivery") from None


async def redeliver(pool: Pool, delivery: str, now: datetime) -> None:
    """Try a delivery again now (same webhook-id), whatever became of it. It changes
    the delivery, not the endpoint: no endpoint event (its attempt records its own).
    A disabled endpoint's delivery waits until it is enabled; a deleted one's is
    refused. An attempt in flight keeps its lease (never two at once)."""
    done = await pool.fetchval(
        """UPDATE webhook_deliveries d SET status = 'PENDING', next_attempt_at = $2,
               updated_at = $2
           FROM webhook_endpoints w
           WHERE d.id = $1 AND w.id = d.endpoint_id AND w.deleted_at IS NULL RETURNING true""",
        _uuid(delivery, "webhook delivery"),
        now,
    )
    if done:
        return
    if await pool.fetchval("SELECT true FROM webhook_deliveries WHERE id = $1", UUID(delivery)):
        raise InvalidTransition(f"webhook delivery {delivery}: its endpoint was deleted")
    raise NotFound(f"no webhook delivery {delivery}")
