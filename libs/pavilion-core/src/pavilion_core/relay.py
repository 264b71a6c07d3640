"""The outbox relay: publishes committed events from the event store to Kafka.

At least once, in (xid, position) order, never past a transaction that may still
commit (see eventstore.py for the fence). Woken by LISTEN/NOTIFY; a slow safety poll
covers fences held by transactions that end without notifying (other databases of
the same cluster). The checkpoint moves only after the broker acknowledged a batch.
"""

import asyncio
import logging

import asyncpg

from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import to_kafka
from pavilion_core.kafka import Publisher
from pavilion_core.logging import distinct
from pavilion_core.pgstore import EVENT_COLUMNS, NOTIFY_CHANNEL, recorded_event
from pavilion_core.runner import wait_first

log = logging.getLogger(__name__)

_SAFE_BATCH = f"""
SELECT {EVENT_COLUMNS}, xid::text AS xid_text FROM events
WHERE (xid, position) > ($1::text::xid8, $2)
  AND xid < pg_snapshot_xmin(pg_current_snapshot())
ORDER BY xid, position
LIMIT $3
"""


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
    ) -> None:
        self.pool, self.publisher = pool, publisher
        self.service, self.topic = service, topic
        self.name = name or relay_name(service, topic)
        self.batch_size, self.idle_poll = batch_size, idle_poll
        self.standby_poll = standby_poll
        self._wake = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until `stop` is set.

        One relay per name publishes at a time: it holds a session advisory lock on its
        listening connection; other instances stand by and take over when it goes away.
        """

        def wake(*_: object) -> None:
            self._wake.set()

        async with self.pool.acquire() as listener:
            if not await self._become_active(listener, stop):
                return
            await listener.add_listener(NOTIFY_CHANNEL, wake)
            try:
                while not stop.is_set():
                    self._wake.clear()
                    delay = await self._drain_or_back_off()
                    await wait_first(stop, self._wake, seconds=delay)
            finally:
                await listener.remove_listener(NOTIFY_CHANNEL, wake)
                await listener.execute("SELECT pg_advisory_unlock_all()")

    async def _become_active(self, conn: Connection, stop: asyncio.Event) -> bool:
        while not stop.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", self.name):
                log.info("relay active", extra={"relay": self.name})
                return True
            await wait_first(stop, seconds=self.standby_poll)
        return False

    async def _drain_or_back_off(self) -> float:
        try:
            while await self.publish_batch() == self.batch_size:
                pass
            return self.idle_poll
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning("relay pass failed, retrying", extra={"error": repr(exc)})
        except Exception as exc:  # a broker error: keep the process, retry the batch
            log.exception("relay publish failed, retrying", extra={"error": repr(exc)})
        return 2.0

    async def publish_batch(self) -> int:
        """Publish the next safe batch; returns how many events it held."""
        last_xid, last_position = await self.checkpoint()
        rows = await self.pool.fetch(_SAFE_BATCH, last_xid, last_position, self.batch_size)
        if not rows:
            return 0
        events = [recorded_event(row) for row in rows]
        await self.publisher.publish(self.topic, [to_kafka(e, self.service) for e in events])
        await self.pool.execute(
            """INSERT INTO relay_checkpoints (name, last_xid, last_position)
               VALUES ($1, $2::text::xid8, $3)
               ON CONFLICT (name) DO UPDATE SET last_xid = EXCLUDED.last_xid,
                 last_position = EXCLUDED.last_position, updated_at = now()""",
            self.name,
            rows[-1]["xid_text"],
            rows[-1]["position"],
        )
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

    async def backlog(self) -> int:
        """Events stored but not yet published (including those behind the fence)."""
        return await backlog(self.pool, self.name)


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
