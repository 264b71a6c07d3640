"""The outbox relay: publishes committed events from the event store to Kafka.

At least once, in (xid, position) order, never past a transaction that may still
commit (the fence below; pgstore.py for per-stream order). Woken by LISTEN/NOTIFY,
with a safety poll. The checkpoint moves only after the broker acknowledged a batch.

The fence is the oldest transaction still running *in this database* (or the next
xid to be assigned if none is): transactions PostgreSQL reports running in another
database of the cluster cannot write here, so they hold nothing back. A long one in
this database does hold publishing back, visibly (`held_back`, a metric, `pavilion
status`), and only as long as PostgreSQL lets it run (the roles' timeouts).

When the database or the broker goes away, `run` raises and the process starts it over
(pavilion_core.outages): a new LISTEN connection, the checkpoint read again, and a
catch-up of everything committed meanwhile.

One relay per checkpoint is active: it holds an advisory lock on its LISTEN connection.
If that session dies without the relay noticing (a network cut, `pg_terminate_backend`),
a standby takes the lock and a new term: each batch checks the term before it is
published, and the checkpoint moves only forward and only in its own term, so the
deposed relay stops after at most the batch it had in flight, and goes back to standby.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import to_kafka
from pavilion_core.kafka import Publisher
from pavilion_core.logging import describe, distinct
from pavilion_core.outages import dependency_down
from pavilion_core.pgstore import EVENT_COLUMNS, NOTIFY_CHANNEL, recorded_event
from pavilion_core.runner import wait_first

log = logging.getLogger(__name__)

# The transactions in progress in this database (those elsewhere are known by the
# database of the session that runs them; one that ended since the snapshot counts: it
# may have committed rows the batch's snapshot cannot see yet).
_RUNNING_HERE = """
SELECT x FROM pg_snapshot_xip(pg_current_snapshot()) AS x
WHERE NOT EXISTS (
  SELECT FROM pg_stat_activity a
  WHERE a.backend_xid = x::xid
    AND a.datid IS DISTINCT FROM (SELECT oid FROM pg_database WHERE datname = current_database()))
"""
_FENCE = f"""coalesce((SELECT min(x) FROM ({_RUNNING_HERE}) AS here),
                      pg_snapshot_xmax(pg_current_snapshot()))"""
_SAFE_BATCH = f"""
SELECT {EVENT_COLUMNS}, xid::text AS xid_text FROM events
WHERE (xid, position) > ($1::text::xid8, $2)
  AND xid < {_FENCE}
ORDER BY xid, position
LIMIT $3
"""
_TAKE_OFFICE = """
INSERT INTO relay_checkpoints AS c (name, last_xid, last_position, term)
VALUES ($1, '0'::xid8, 0, 1)
ON CONFLICT (name) DO UPDATE SET term = c.term + 1
RETURNING term"""
_MOVE_CHECKPOINT = """
UPDATE relay_checkpoints SET last_xid = $2::text::xid8, last_position = $3, updated_at = now()
WHERE name = $1 AND term = $4 AND (last_xid, last_position) < ($2::text::xid8, $3)"""
_HELD_BACK = f"""
SELECT x::text AS xid,
       extract(epoch FROM now() - a.xact_start)::float8 AS seconds
FROM ({_RUNNING_HERE}) AS here(x) LEFT JOIN pg_stat_activity a ON a.backend_xid = x::xid
WHERE EXISTS (SELECT FROM events e WHERE e.xid > x)
ORDER BY x LIMIT 1
"""


class Deposed(Exception):
    """Another relay of this checkpoint has become active: this one must stop publishing."""


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: Publisher,
        *,
        service: str,
        topic: str,
        name: str | None = None,
        batch_size: int = 1000,
        idle_poll: float = 1.0,
        standby_poll: float = 5.0,
        linger: float = 0.025,
    ) -> None:
        self.pool, self.publisher = pool, publisher
        self.service, self.topic = service, topic
        self.name = name or relay_name(service, topic)
        self.batch_size, self.idle_poll = batch_size, idle_poll
        self.linger = linger
        self.standby_poll = standby_poll
        self._wake = asyncio.Event()
        self._term: int | None = None  # taken when it becomes active (or first publishes)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set.

        One relay per name publishes at a time: it holds a session advisory lock on its
        listening connection; other instances stand by and take over when it goes away.
        A relay deposed meanwhile goes back to standing by.
        """
        while not stop.is_set():
            try:
                await self._serve_term(stop)
            except Deposed:
                log.warning(
                    "relay deposed: another took over; standing by", extra={"relay": self.name}
                )

    async def _serve_term(self, stop: asyncio.Event) -> None:
        def wake(*_: object) -> None:
            self._wake.set()

        async with self.pool.acquire() as listener:
            try:
                if not await self._become_active(listener, stop):
                    return
                self._term = await listener.fetchval(_TAKE_OFFICE, self.name)
                await listener.add_listener(NOTIFY_CHANNEL, wake)
                while not stop.is_set() and _alive(listener):  # else the lock went with it
                    self._wake.clear()
                    delay, published = await self._drain_or_back_off(listener)
                    if published:
                        # Under load, commits arrive faster than passes pay: a pass costs
                        # ~3 ms of CPU whether it carries one event or hundreds. Lingering
                        # `linger` s after one that published gathers the next pass's
                        # events (as Kafka's linger.ms does); after a quiet spell the first
                        # commit still goes out at once.
                        await wait_first(stop, seconds=self.linger)
                    await wait_first(stop, self._wake, seconds=delay)
            finally:
                await _leave(listener, wake)

    async def _become_active(self, conn: Connection, stop: asyncio.Event) -> bool:
        while not stop.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name):
                log.info("relay active", extra={"relay": self.name})
                return True
            await wait_first(stop, seconds=self.standby_poll)
        return False

    async def _drain_or_back_off(self, listener: Connection) -> tuple[float, bool]:
        """Publish all that is safe; how long to wait for a wake-up next, and whether it
        published anything. A dependency that went away ends the run (the process starts
        it over); so does a lost listening connection, with which the advisory lock
        went: another instance may be active by now."""
        published = 0
        try:
            while (n := await self.publish_batch()) == self.batch_size:
                published += n
            return self.idle_poll, published + n > 0
        except Exception as exc:
            if dependency_down(exc) or isinstance(exc, Deposed):
                raise
            # e.g. a statement refused: keep the process, retry
            log.exception("relay pass failed, retrying", extra={"error": describe(exc)})
        await listener.execute("SELECT 1")
        return 2.0, False

    async def publish_batch(self) -> int:
        """Publish the next safe batch in this relay's term (raise Deposed if another
        relay has taken over since); returns how many events it held. A relay used
        outside `run` (a tool, a test) takes office with its first batch."""
        if self._term is None:
            self._term = await self.pool.fetchval(_TAKE_OFFICE, self.name)
        row = await self.pool.fetchrow(
            "SELECT last_xid::text AS xid, last_position, term FROM relay_checkpoints"
            " WHERE name = $1",
            self.name,
        )
        if row is None or row["term"] != self._term:
            raise Deposed(f"relay {self.name}: its term {self._term} has ended")
        rows = await self.pool.fetch(_SAFE_BATCH, row["xid"], row["last_position"], self.batch_size)
        if not rows:
            return 0
        events = [recorded_event(row) for row in rows]
        await self.publisher.publish(self.topic, [to_kafka(e, self.service) for e in events])
        moved = await self.pool.execute(
            _MOVE_CHECKPOINT, self.name, rows[-1]["xid_text"], rows[-1]["position"], self._term
        )
        if moved == "UPDATE 0":
            raise Deposed(f"relay {self.name}: term {self._term} ended while publishing")
        log.info(
            "relayed",
            extra={
                "events": len(rows),
                "topic": self.topic,
                "correlation_ids": distinct(e.metadata.get("correlation_id") for e in events),
            },
        )
        return len(rows)

    async def checkpoint(self) -> tuple[str, int]:
        return await checkpoint(self.pool, self.name)

    async def held_back(self) -> "HeldBack | None":
        return await held_back(self.pool)

    async def backlog(self) -> int:
        """Events stored but not yet published (including those behind the fence)."""
        return await backlog(self.pool, self.name)


async def _leave(listener: Connection, wake: Callable[..., None]) -> None:
    """Give the lock and the LISTEN up before the connection goes back to the pool,
    which does not reset it (db.open_pool); one that cannot be cleaned is closed (a lost
    connection took both with it)."""
    if not _alive(listener):
        return
    try:
        await listener.remove_listener(NOTIFY_CHANNEL, wake)
        await listener.execute("SELECT pg_advisory_unlock_all()")
    except BaseException:
        listener.terminate()
        raise


def _alive(listener: Connection) -> bool:
    try:
        return not listener.is_closed()
    except asyncpg.InterfaceError:  # the pool has taken back a connection it lost
        return False


@dataclass(frozen=True)
class HeldBack:
    """Publishing waits for transaction `xid`, open for `seconds` (None: a session of
    another role, whose start PostgreSQL does not show): it may still commit events that
    must go out before those stored after it."""

    xid: str
    seconds: float | None


async def held_back(pool: "Pool | Connection") -> HeldBack | None:
    """The transaction of this database that holds events back from publishing, if any."""
    row = await pool.fetchrow(_HELD_BACK)
    return HeldBack(row["xid"], row["seconds"]) if row else None


def relay_name(service: str, topic: str) -> str:
    return f"{service}->{topic}"


async def checkpoint(pool: "Pool | Connection", name: str) -> tuple[str, int]:
    """The (xid, position) relay `name` has published up to."""
    row = await pool.fetchrow(
        "SELECT last_xid::text AS xid, last_position FROM relay_checkpoints WHERE name = $1", name
    )
    return (row["xid"], row["last_position"]) if row else ("0", 0)


async def backlog(pool: "Pool | Connection", name: str) -> int:
    """Events stored but not yet published by relay `name` (also those behind the fence)."""
    last_xid, last_position = await checkpoint(pool, name)
    count: int = await pool.fetchval(
        "SELECT count(*) FROM events WHERE (xid, position) > ($1::text::xid8, $2)",
        last_xid,
        last_position,
    )
    return count
