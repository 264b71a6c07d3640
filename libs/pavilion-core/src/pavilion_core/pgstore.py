"""The event store on PostgreSQL.

Ordering fence for the relay: every event row records the id of the transaction
that wrote it (`pg_current_xact_id()`), and the relay publishes in (xid, position)
order only below the oldest transaction still running in this database, where no
transaction can still commit (relay.py). Per-stream order then needs an append's xid
to be newer than the previous append's to that stream; `streams.last_xid` checks it
(an append whose transaction got its id earlier is retried in a fresh transaction).

Personal values are sealed before they are stored (pavilion_core.personal: outside the
transaction, the vault being another database) and unsealed when a stream is read, so
the `events` table, and what the relay publishes from it, hold them only sealed.

The relay is woken by a NOTIFY on `NOTIFY_CHANNEL`. A NOTIFY in the appending
transaction would take PostgreSQL's cluster-wide notify lock from its commit until the
commit is flushed, so that concurrent appends would commit (and fsync) one after the
other: `EventStore` announces after its commits instead, one NOTIFY at a time per
process, the appends that commit meanwhile folded into the next one (`Announcer`). An
append in a caller's transaction (`append_in`) still notifies on that commit.

Idempotency keys (eventstore.py) are stored per caller with the moment they expire; a
lookup sees only live ones, and each new key takes up to two expired ones with it, so
the table holds about the keys of one retention period without a purge job.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import timedelta
from uuid import uuid4

import asyncpg

from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import Metadata, RecordedEvent
from pavilion_core.eventstore import (
    KEY_RETENTION,
    AppendResult,
    ConcurrencyError,
    EventStorePort,
    IdempotencyKey,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    StreamAppend,
    StreamOrderingConflict,
    WrongExpectedVersion,
)
from pavilion_core.personal import Sealer

log = logging.getLogger(__name__)
NOTIFY_CHANNEL = "pavilion_events"
EVENT_COLUMNS = (
    "position, event_id, stream_id, version, type, schema_version, data, metadata, recorded_at"
)
_ORDERING_RETRIES = 5
_KEEP_KEY = """WITH purged AS (
    DELETE FROM idempotency_keys WHERE ctid IN (
        SELECT ctid FROM idempotency_keys
        WHERE expires_at <= now() AND (caller, key) <> ($1, $2)
        ORDER BY expires_at LIMIT 2 FOR UPDATE SKIP LOCKED))
INSERT INTO idempotency_keys (caller, key, request_hash, result, expires_at)
VALUES ($1, $2, $3, $4::jsonb, now() + $5::interval)
ON CONFLICT (caller, key) DO UPDATE  -- an expired key is a new request's
    SET request_hash = EXCLUDED.request_hash, result = EXCLUDED.result,
        created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
    WHERE idempotency_keys.expires_at <= now()
RETURNING true"""


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


async def read_stream(conn: Connection | Pool, stream_id: str) -> list[RecordedEvent]:
    """The stream as stored: its personal values sealed."""
    rows = await conn.fetch(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version", stream_id
    )
    return [recorded_event(row) for row in rows]


async def stream_ids(conn: Connection | Pool, prefix: str) -> list[str]:
    rows = await conn.fetch(  # ordered as Python orders str, like the in-memory store
        "SELECT stream_id FROM streams WHERE starts_with(stream_id, $1)"
        ' ORDER BY stream_id COLLATE "C"',
        prefix,
    )
    return [row["stream_id"] for row in rows]


async def find_idempotent(conn: Connection | Pool, key: IdempotencyKey) -> AppendResult | None:
    row = await conn.fetchrow(
        """SELECT request_hash, result FROM idempotency_keys
           WHERE caller = $1 AND key = $2 AND expires_at > now()""",
        key.caller,
        key.key,
    )
    if row is None:
        return None
    if row["request_hash"] != key.fingerprint:
        raise IdempotencyKeyReused(key.key)
    return AppendResult(**{**json.loads(row["result"]), "replayed": True})


class Announcer:
    """Wakes the relays after appends have committed: each `announce` is followed by a
    NOTIFY that starts after it, at most one in flight; those announced while one is
    in flight share the next. A NOTIFY that fails (the database away) is only logged:
    the relay's safety poll finds the rows, and a relay that restarts catches up."""

    def __init__(self, pool: Pool) -> None:
        self.pool = pool
        self._due = False
        self._sending: asyncio.Task[None] | None = None

    def announce(self) -> None:
        self._due = True
        if self._sending is None or self._sending.done():
            self._sending = asyncio.create_task(self._send())

    async def _send(self) -> None:
        while self._due:
            self._due = False
            try:
                await self.pool.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
            except Exception as exc:  # the relay polls too
                log.warning("relay wake-up not sent", extra={"error": repr(exc)})

    async def flushed(self) -> None:
        """Wait for the NOTIFY in flight, if any (before closing the pool)."""
        if self._sending is not None:
            await self._sending


class EventStore(EventStorePort):
    """The PostgreSQL event store; each append is its own transaction, announced to
    the relay once committed."""

    def __init__(
        self, pool: Pool, sealer: Sealer, key_retention: timedelta = KEY_RETENTION
    ) -> None:
        self.pool, self.sealer, self.key_retention = pool, sealer, key_retention
        self.announcer = Announcer(pool)

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        return await self.sealer.unseal_recorded(await read_stream(self.pool, stream_id))

    async def stream_ids(self, prefix: str) -> list[str]:
        return await stream_ids(self.pool, prefix)

    async def find_idempotent(self, key: IdempotencyKey) -> AppendResult | None:
        return await find_idempotent(self.pool, key)

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        metadata: Metadata,
        idempotency: IdempotencyKey | None = None,
    ) -> AppendResult:
        sealed = await self.sealer.seal_appends(appends)
        for attempt in range(_ORDERING_RETRIES):
            try:
                async with self.pool.acquire() as conn, conn.transaction():
                    result = await append_in(conn, sealed, metadata, idempotency, announce=False)
                self.announcer.announce()
                return result
            except StreamOrderingConflict:
                if attempt == _ORDERING_RETRIES - 1:
                    raise
            except (ConcurrencyError, asyncpg.UniqueViolationError):
                # A concurrent retry of the same command may have won the race.
                if idempotency and (done := await self.find_idempotent(idempotency)):
                    return done
                raise
        raise AssertionError("unreachable")


class TransactionEventStore(EventStorePort):
    """The event store inside a caller's transaction (a reaction that also stores its
    consumer offsets): conflicts are raised for the caller to retry the transaction.
    Sealing and unsealing ask the vault while that transaction is open (one short
    statement each, on the vault's own pool)."""

    def __init__(self, conn: Connection, sealer: Sealer) -> None:
        self.conn, self.sealer = conn, sealer

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        return await self.sealer.unseal_recorded(await read_stream(self.conn, stream_id))

    async def stream_ids(self, prefix: str) -> list[str]:
        return await stream_ids(self.conn, prefix)

    async def find_idempotent(self, key: IdempotencyKey) -> AppendResult | None:
        return await find_idempotent(self.conn, key)

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        metadata: Metadata,
        idempotency: IdempotencyKey | None = None,
    ) -> AppendResult:
        sealed = await self.sealer.seal_appends(appends)
        return await append_in(self.conn, sealed, metadata, idempotency)


async def append_in(
    conn: Connection,
    appends: Sequence[StreamAppend],
    metadata: Metadata,
    idempotency: IdempotencyKey | None = None,
    *,
    announce: bool = True,
) -> AppendResult:
    """Append within the caller's transaction; returns the first stream's result.
    The appends' personal values must be sealed already (Sealer.seal_appends). With
    `announce`, the transaction's commit wakes the relay (a NOTIFY in it).

    Streams are locked in id order, so two commands touching the same streams never
    deadlock.
    """
    if not appends or not all(a.events for a in appends):
        raise ValueError("nothing to append")
    results = {}
    for append in sorted(appends, key=lambda a: a.stream_id):
        results[append.stream_id] = await _append_one(conn, append, metadata, announce)
    written = {a.stream_id: results[a.stream_id].version for a in appends}
    result = replace(results[appends[0].stream_id], streams=written)
    if idempotency:
        await _keep(conn, idempotency, result)
    return result


async def _keep(conn: Connection, key: IdempotencyKey, result: AppendResult) -> None:
    """Store the result under the caller's key; a live key already there is another
    request's that committed first (IdempotencyKeyInUse: the caller answers with it)."""
    kept = await conn.fetchval(
        _KEEP_KEY, key.caller, key.key, key.fingerprint, json.dumps(asdict(result)), key.kept_for
    )
    if not kept:
        raise IdempotencyKeyInUse(f"idempotency key {key.key!r} is in use")


# How an append takes its stream: the row locked and bumped in the statement that
# appends, only at the expected version (if any) and only by a transaction newer than
# the stream's last (`current`: the version before). A new stream is made with its
# events; one expected at a version above 0 must exist already.
_TAKE_NEW_OR_ANY = """
    INSERT INTO streams AS s (stream_id, version, last_xid)
    VALUES ($1, $2, pg_current_xact_id())
    ON CONFLICT (stream_id) DO UPDATE
        SET version = s.version + $2, last_xid = pg_current_xact_id()
        WHERE ($3::int IS NULL OR s.version = $3) AND s.last_xid <= pg_current_xact_id()
    RETURNING version - $2 AS current"""
_TAKE_EXISTING = """
    UPDATE streams AS s SET version = s.version + $2, last_xid = pg_current_xact_id()
    WHERE stream_id = $1 AND s.version = $3 AND s.last_xid <= pg_current_xact_id()
    RETURNING version - $2 AS current"""
_APPEND = """
WITH taken AS ({take}),
appended AS (
    INSERT INTO events (event_id, stream_id, version, type, schema_version, data, metadata)
    SELECT e.id, $1, t.current + e.n, e.type, e.sv, e.data::jsonb, $4::jsonb
    FROM taken t, unnest($5::uuid[], $6::text[], $7::int[], $8::text[])
         WITH ORDINALITY AS e(id, type, sv, data, n)
    RETURNING event_id, position),
-- the relay's wake-up, on commit (one row either way)
announced AS (SELECT CASE WHEN $10 THEN pg_notify($9, '') END)
SELECT event_id, position, (SELECT current FROM taken) AS current
FROM appended, announced ORDER BY position"""
_APPEND_NEW_OR_ANY = _APPEND.format(take=_TAKE_NEW_OR_ANY)
_APPEND_EXISTING = _APPEND.format(take=_TAKE_EXISTING)


async def _append_one(
    conn: Connection, append: StreamAppend, metadata: Metadata, announce: bool
) -> AppendResult:
    """One statement: the stream taken (_TAKE_*) and its events inserted; nothing
    appended when the stream is not at the expected version or was last written by a
    newer transaction, and then the row (locked by now) says which."""
    stream_id, events, expected = append.stream_id, append.events, append.expected_version
    rows = await conn.fetch(
        _APPEND_NEW_OR_ANY if not expected else _APPEND_EXISTING,
        stream_id,
        len(events),
        expected,
        json.dumps(metadata.as_dict()),
        [uuid4() for _ in events],
        [e.type for e in events],
        [e.schema_version for e in events],
        [json.dumps(e.data) for e in events],
        NOTIFY_CHANNEL,
        announce,
    )
    if not rows:
        raise await _refusal(conn, append)
    version = rows[0]["current"] + len(events)
    return AppendResult(
        stream_id=stream_id,
        version=version,
        event_ids=[str(r["event_id"]) for r in rows],
        positions=[r["position"] for r in rows],
        streams={stream_id: version},
    )


async def _refusal(conn: Connection, append: StreamAppend) -> ConcurrencyError:
    """Why the stream did not take the append: its version, else a newer writer."""
    row = await conn.fetchrow(
        """SELECT version, last_xid > pg_current_xact_id() AS newer FROM streams
           WHERE stream_id = $1 FOR UPDATE""",
        append.stream_id,
    )
    current = row["version"] if row else 0
    if append.expected_version is not None and append.expected_version != current:
        return WrongExpectedVersion(append.stream_id, append.expected_version, current)
    if row is not None and row["newer"]:
        return StreamOrderingConflict(append.stream_id)
    raise AssertionError(f"stream {append.stream_id} refused an append it should take")
