"""The event store: streams of events in PostgreSQL with optimistic concurrency.

Ordering fence for the relay: every event row records the id of the transaction
that wrote it (`pg_current_xact_id()`), and the relay publishes in (xid, position)
order only below `pg_snapshot_xmin(pg_current_snapshot())`, where no transaction can
still commit. Per-stream order then needs an append's xid to be newer than the
previous append's to that stream; `streams.last_xid` checks it (an append whose
transaction got its id earlier is retried in a fresh transaction).
"""

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from uuid import uuid4

import asyncpg

from pavilion_core.db import Connection
from pavilion_core.envelope import Metadata, NewEvent, RecordedEvent

NOTIFY_CHANNEL = "pavilion_events"
_ORDERING_RETRIES = 5


class ConcurrencyError(Exception):
    """The stream changed since the caller read it."""


class WrongExpectedVersion(ConcurrencyError):
    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not {expected}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class StreamOrderingConflict(ConcurrencyError):
    """This transaction's id predates the stream's last append; retry in a new one."""


class IdempotencyKeyReused(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for a different request")
        self.key = key


@dataclass(frozen=True)
class CommandContext:
    """What comes with every command besides its own fields."""

    metadata: Metadata
    expected_version: int | None = None
    idempotency_key: str | None = None
    fingerprint: str = ""


@dataclass(frozen=True)
class AppendResult:
    stream_id: str
    version: int
    event_ids: list[str]
    positions: list[int]


def request_hash(payload: Any) -> str:
    """A stable fingerprint of a command, to tell a retry from a reused key."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def recorded_event(row: asyncpg.Record) -> RecordedEvent:
    return RecordedEvent(
        event_id=row["event_id"],
        stream_id=row["stream_id"],
        version=row["version"],
        position=row["position"],
        type=row["type"],
        schema_version=row["schema_version"],
        data=json.loads(row["data"]),
        metadata=json.loads(row["metadata"]),
        recorded_at=row["recorded_at"],
    )


EVENT_COLUMNS = (
    "position, event_id, stream_id, version, type, schema_version, data, metadata, recorded_at"
)
Decide = Callable[[list[RecordedEvent]], Sequence[NewEvent]]


class EventStorePort(ABC):
    """What handlers need of an event store; PostgreSQL here, in memory for unit tests."""

    @abstractmethod
    async def read_stream(self, stream_id: str) -> list[RecordedEvent]: ...

    @abstractmethod
    async def find_idempotent(self, key: str, fingerprint: str) -> AppendResult | None:
        """The stored result of the command that used `key`; raises if it was another."""

    @abstractmethod
    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int | None,
        metadata: Metadata,
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> AppendResult:
        """Append atomically. `expected_version`: None = any, 0 = a new stream."""

    async def execute(self, stream_id: str, decide: Decide, ctx: CommandContext) -> AppendResult:
        """Run a command: answer a retry from its key, else load, decide, append.

        `decide` gets the stream's events and returns the new ones (or raises a domain
        error). The append checks the version the decision was made on, after checking
        the caller's `expected_version` when it gave one.
        """
        if ctx.idempotency_key and (
            done := await self.find_idempotent(ctx.idempotency_key, ctx.fingerprint)
        ):
            return done
        history = await self.read_stream(stream_id)
        current = history[-1].version if history else 0
        if ctx.expected_version is not None and ctx.expected_version != current:
            raise WrongExpectedVersion(stream_id, ctx.expected_version, current)
        return await self.append(
            stream_id,
            decide(history),
            expected_version=current,
            metadata=ctx.metadata,
            idempotency_key=ctx.idempotency_key,
            fingerprint=ctx.fingerprint,
        )


class EventStore(EventStorePort):
    """The PostgreSQL event store."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        rows = await self.pool.fetch(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version",
            stream_id,
        )
        return [recorded_event(row) for row in rows]

    async def find_idempotent(self, key: str, fingerprint: str) -> AppendResult | None:
        row = await self.pool.fetchrow(
            "SELECT request_hash, result FROM idempotency_keys WHERE key = $1", key
        )
        if row is None:
            return None
        if row["request_hash"] != fingerprint:
            raise IdempotencyKeyReused(key)
        return AppendResult(**json.loads(row["result"]))

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int | None,
        metadata: Metadata,
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> AppendResult:
        """Append atomically. `expected_version`: None = any, 0 = a new stream."""
        for attempt in range(_ORDERING_RETRIES):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    return await append_in(
                        conn,
                        stream_id,
                        events,
                        expected_version,
                        metadata,
                        idempotency_key,
                        fingerprint,
                    )
            except StreamOrderingConflict:
                if attempt == _ORDERING_RETRIES - 1:
                    raise
            except (ConcurrencyError, asyncpg.UniqueViolationError):
                # A concurrent retry of the same command may have won the race.
                if idempotency_key and (
                    done := await self.find_idempotent(idempotency_key, fingerprint)
                ):
                    return done
                raise
        raise AssertionError("unreachable")


async def append_in(
    conn: Connection,
    stream_id: str,
    events: Sequence[NewEvent],
    expected_version: int | None,
    metadata: Metadata,
    idempotency_key: str | None = None,
    fingerprint: str = "",
) -> AppendResult:
    """Append within the caller's transaction (for reactions that also store offsets)."""
    if not events:
        raise ValueError("nothing to append")
    current, last_xid, my_xid = await _lock_stream(conn, stream_id)
    if expected_version is not None and expected_version != current:
        raise WrongExpectedVersion(stream_id, expected_version, current)
    if last_xid > my_xid:
        raise StreamOrderingConflict(stream_id)
    rows = await conn.fetch(
        """INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata)
           SELECT e.id, $1, $2 + e.n, e.type, e.sv, e.data::jsonb, $3::jsonb
           FROM unnest($4::uuid[], $5::text[], $6::int[], $7::text[])
                WITH ORDINALITY AS e(id, type, sv, data, n)
           RETURNING event_id, position""",
        stream_id,
        current,
        json.dumps(metadata.as_dict()),
        [uuid4() for _ in events],
        [e.type for e in events],
        [e.schema_version for e in events],
        [json.dumps(e.data) for e in events],
    )
    version = current + len(events)
    await conn.execute(
        "UPDATE streams SET version = $2, last_xid = pg_current_xact_id() WHERE stream_id = $1",
        stream_id,
        version,
    )
    result = AppendResult(
        stream_id=stream_id,
        version=version,
        event_ids=[str(r["event_id"]) for r in rows],
        positions=[r["position"] for r in rows],
    )
    if idempotency_key:
        await conn.execute(
            "INSERT INTO idempotency_keys (key, request_hash, result) VALUES ($1, $2, $3::jsonb)",
            idempotency_key,
            fingerprint,
            json.dumps(asdict(result)),
        )
    await conn.execute(f"NOTIFY {NOTIFY_CHANNEL}")
    return result


async def _lock_stream(conn: Connection, stream_id: str) -> tuple[int, int, int]:
    """Lock (creating if new) the stream row; returns version, its last xid, ours."""
    await conn.execute(
        """INSERT INTO streams (stream_id, version, last_xid) VALUES ($1, 0, '0')
           ON CONFLICT (stream_id) DO NOTHING""",
        stream_id,
    )
    row = await conn.fetchrow(
        """SELECT version, last_xid::text::bigint AS last_xid,
                  pg_current_xact_id()::text::bigint AS my_xid
           FROM streams WHERE stream_id = $1 FOR UPDATE""",
        stream_id,
    )
    assert row is not None  # inserted just above, in this transaction
    return row["version"], row["last_xid"], row["my_xid"]
