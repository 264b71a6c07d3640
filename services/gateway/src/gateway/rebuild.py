"""Rebuilding the read model without downtime.

Replays the topics from offset 0 into a fresh generation (its own consumer group,
silently: no announcements, no dead-letter notices — the live projector has sent
those already), reports progress, and when it has caught up swaps the pointer in one
transaction. The swap takes the pointer row FOR UPDATE, so it waits for the live
projector's batch in flight and holds back the next one; it happens only if the new
generation has applied at least what the live projector has, so nothing is missed.
After the swap the live projector writes into the new generation; events it applies
again are recognised by their event ids. Queries go on answering from the old
generation until the swap, then from the new one.

A side rebuild (`until`) builds a generation of only the events that occurred at or
before a moment and is never swapped in: the read model as of then, rebuilt from the
topics, for its caller to read (it answers what `asOf` answers) and drop
(`drop_side`); the next rebuild drops it too.

A replay of topics whose first records were deleted would build a read model missing
them, so the rebuild refuses (HistoryLost) before it starts and again before the swap;
so does a replay that had to park a message it could not apply (RebuildIncomplete):
the new generation would lack that record's history. A refused or failed rebuild drops
its generation, and the current one keeps serving.
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pavilion_contracts.reader import READER
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.db import Connection, Pool
from pavilion_core.kafka import HistoryLost, require_history

from gateway.bootstrap import connect, sealer
from gateway.config import Config
from gateway.offsets import end_offsets, stored
from gateway.projector import Projector
from gateway.readmodel import (
    SWAPPED,
    create_generation,
    current_generation,
    generations,
    schema_name,
    write_to,
)

log = logging.getLogger(__name__)
_LOCK = "pavilion.read_model.rebuild"


class RebuildRunning(Exception):
    """Only one rebuild at a time."""


@dataclass(frozen=True)
class Progress:
    generation: int
    applied: int
    total: int


class RebuildIncomplete(Exception):
    """The replay could not apply some messages: the new generation is not swapped in."""


# What refuses a rebuild, the current generation serving on
REFUSED = (RebuildRunning, HistoryLost, RebuildIncomplete)


async def rebuild(
    config: Config, report: Callable[[Progress], None], *, until: datetime | None = None
) -> int:
    """Build a new generation and swap it in (with `until`: a side generation of the
    events up to then, not swapped in); returns its number."""
    pool = await connect(config, pool_size=4)
    try:
        async with pool.acquire() as lock:
            if not await lock.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", _LOCK):
                raise RebuildRunning("another rebuild of this read model is running")
            try:
                return await _rebuild(pool, config, report, until)
            finally:
                await lock.execute("SELECT pg_advisory_unlock(hashtext($1))", _LOCK)
    finally:
        await pool.close()


async def _rebuild(
    pool: Pool, config: Config, report: Callable[[Progress], None], until: datetime | None
) -> int:
    await require_history(config.kafka, config.topics)
    generation = await _fresh_generation(pool)
    group = f"{config.group_id}.rebuild.{generation}"
    # a rebuild that died left this group's offsets (and what it parked) behind; resuming
    # from them into the fresh generation would skip what they cover
    await _forget(pool, group)
    try:
        await _replay(pool, config, group, generation, report, until)
    except Exception:
        await _discard(pool, generation)
        raise
    finally:
        await _forget(pool, group)
    return generation


async def _forget(pool: Pool, group: str) -> None:
    await pool.execute("DELETE FROM consumer_offsets WHERE group_id = $1", group)
    await pool.execute("DELETE FROM parked_messages WHERE group_id = $1", group)


async def _replay(
    pool: Pool,
    config: Config,
    group: str,
    generation: int,
    report: Callable[[Progress], None],
    until: datetime | None,
) -> None:
    projector = Projector(announce=False, until=until)
    unsealing = await sealer(config)
    loop = ConsumerLoop(
        pool=pool,
        kafka=config.kafka,
        group_id=group,
        topics=config.topics,
        handler=projector,
        reader=READER,
        batch_handler=projector.batch,
        dead_letters=None,
        sealer=unsealing,
        begin=write_to(generation),
    )
    stop = asyncio.Event()
    replaying = asyncio.create_task(loop.run(stop))
    try:
        await _until_swapped(pool, config, group, generation, replaying, report, until)
    finally:
        stop.set()
        await replaying
        await unsealing.close()


async def _fresh_generation(pool: Pool) -> int:
    """Drop the generations no query reads any more (all but the current), make a new one."""
    async with pool.acquire() as conn:
        current = await current_generation(conn)
        for old in await generations(conn):
            if old != current:
                await conn.execute(f"DROP SCHEMA {schema_name(old)} CASCADE")
        generation = max(await generations(conn)) + 1
        await create_generation(conn, generation)
    return generation


async def drop_side(config: Config, generation: int) -> None:
    """Drop a side generation (never the current one)."""
    pool = await connect(config, pool_size=1)
    try:
        await _discard(pool, generation)
    finally:
        await pool.close()


async def _discard(pool: Pool, generation: int) -> None:
    """Drop the generation of a failed rebuild, unless it was swapped in before it failed
    (only a rebuild swaps, and this one holds the rebuild lock)."""
    async with pool.acquire() as conn:
        if await current_generation(conn) != generation:  # (a later rebuild may have)
            await conn.execute(f"DROP SCHEMA IF EXISTS {schema_name(generation)} CASCADE")


async def _until_swapped(
    pool: Pool,
    config: Config,
    group: str,
    generation: int,
    replaying: "asyncio.Task[None]",
    report: Callable[[Progress], None],
    until: datetime | None,
) -> None:
    ends = await end_offsets(config)
    while True:
        applied = await stored(pool, group)
        report(Progress(generation, sum(applied.values()), sum(ends.values())))
        if all(applied.get(tp, 0) >= end for tp, end in ends.items()):
            # records deleted during the replay may have been skipped: refuse rather than guess
            await require_history(config.kafka, config.topics)
            if until is not None:
                async with pool.acquire() as conn:
                    await _require_all_applied(conn, group)
                return  # a side generation: never swapped in
            if await _swap(pool, config.group_id, group, generation):
                return
            ends = await end_offsets(config)  # the live projector is ahead: go on
        done, _ = await asyncio.wait({replaying}, timeout=1.0)
        if done:
            replaying.result()  # the replay stopped: raise what stopped it
            raise RuntimeError("the replay stopped before it caught up")


async def _require_all_applied(conn: Connection, group: str) -> None:
    parked = await conn.fetch(
        """SELECT topic, count(*) AS messages,
                  min(error_message) AS error
           FROM parked_messages WHERE group_id = $1 GROUP BY topic""",
        group,
    )
    if parked:
        held = "; ".join(f"{r['topic']}: {r['messages']} ({r['error']})" for r in parked)
        raise RebuildIncomplete(f"refused: the replay could not apply some messages — {held}")


async def _swap(pool: Pool, live_group: str, group: str, generation: int) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT generation FROM read_model_current FOR UPDATE")
        # the replay's batches lock these rows: one in flight commits first, the next waits
        await conn.execute("SELECT FROM consumer_offsets WHERE group_id = $1 FOR UPDATE", group)
        await _require_all_applied(conn, group)
        live, mine = await stored(conn, live_group), await stored(conn, group)
        if any(mine.get(tp, 0) < offset for tp, offset in live.items()):
            return False
        await conn.execute(
            "UPDATE read_model_current SET generation = $1, swapped_at = now()", generation
        )
        await conn.execute("SELECT pg_notify($1, '')", SWAPPED)  # API caches: heard at commit
    log.info("read model swapped", extra={"generation": generation})
    return True
