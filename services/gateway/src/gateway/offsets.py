"""Where the projector stands against the topics: the offsets it has applied (stored
in PostgreSQL with its rows) and the ends of the topics' partitions."""

import asyncio
import time

from pavilion_core.db import Connection, Pool
from pavilion_core.fence import stored_offsets
from pavilion_core.kafka import offset_ranges, partitions
from pavilion_core.runner import wait_first

from gateway.config import Config
from gateway.projector import CHANNEL

Offsets = dict[tuple[str, int], int]


async def stored(db: "Pool | Connection", group: str) -> Offsets:
    return {(tp.topic, tp.partition): o for tp, o in (await stored_offsets(db, group)).items()}


async def log_ranges(config: Config) -> dict[tuple[str, int], tuple[int, int]]:
    """The (first, end) offsets of each partition of the topics."""
    ranges = await offset_ranges(config.kafka, await partitions(config.kafka, config.topics))
    return {(tp.topic, tp.partition): r for tp, r in ranges.items()}


def ends(ranges: dict[tuple[str, int], tuple[int, int]]) -> Offsets:
    return {tp: end for tp, (_, end) in ranges.items() if end}


async def end_offsets(config: Config) -> Offsets:
    return ends(await log_ranges(config))


def lag(applied: Offsets, ends: Offsets) -> int:
    """Messages on the topics that the projector has not applied yet."""
    return sum(max(0, end - applied.get(tp, 0)) for tp, end in ends.items())


async def caught_up(pool: Pool, config: Config, seconds: float) -> int:
    """Wait until the live projector has applied what the topics hold now (or `seconds`
    have passed); the messages still to apply. Woken by the projector's announcements,
    with a one-second recheck for batches that announce nothing (skipped events)."""
    ends = await end_offsets(config)
    deadline = time.monotonic() + seconds
    news = asyncio.Event()

    def heard(*_: object) -> None:
        news.set()

    async with pool.acquire() as listener:
        await listener.add_listener(CHANNEL, heard)
        while True:
            news.clear()  # before the check: news while checking wakes the next wait
            behind = lag(await stored(pool, config.group_id), ends)
            left = deadline - time.monotonic()
            if not behind or left <= 0:
                break
            await wait_first(news, seconds=min(1.0, left))
        await listener.remove_listener(CHANNEL, heard)
    return behind
