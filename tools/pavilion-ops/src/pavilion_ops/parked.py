"""Parked messages across the services' databases: what each consumer group holds back
(a message it could not apply and the later messages of the same record), asking a
group to redrive them once the fault is fixed, and waiting for its answer. The group's
own consumer carries the redrive out, in each record's order; nothing is published
again, so no other group sees a message twice."""

import asyncio
import time
from dataclasses import dataclass
from typing import TypeVar

import asyncpg
from pavilion_core.parking import ParkedSummary, request_redrive, summary

from pavilion_ops import settings
from pavilion_ops.databases import each

T = TypeVar("T")


async def parked() -> list[ParkedSummary]:
    """What every consumer group has parked."""
    found = await each(settings.CONSUMING, lambda conn, _: summary(conn))
    return [s for figures in found.values() if not isinstance(figures, str) for s in figures]


@dataclass(frozen=True)
class Redriven:
    requested: int  # parked messages the request covered
    applied: int  # of them, applied by the group's consumer
    still_parked: int  # failed again (with those behind them), or not answered in time


async def redrive(group: str, key: bytes | None = None, seconds: float = 30.0) -> Redriven:
    """Ask `group` to redrive its parked records (only `key`'s if given) and wait up to
    `seconds` for its consumer to answer. Counts only what was parked when asked."""
    upto: dict[str, int] = {}  # per database, the last message parked when asked

    async def ask(conn: asyncpg.Connection, service: str) -> int:
        upto[service] = await conn.fetchval(
            "SELECT coalesce(max(seq), 0) FROM parked_messages WHERE group_id = $1", group
        )
        return await request_redrive(conn, group, key)

    requested = sum(n for n in (await each(settings.CONSUMING, ask)).values() if isinstance(n, int))
    deadline = time.monotonic() + seconds
    while True:
        pending = await _count(group, key, upto, "redrive_requested_at IS NOT NULL")
        if not pending or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)  # polling, with the deadline above
    left = await _count(group, key, upto, "true")
    return Redriven(requested, requested - left, left)


async def _count(group: str, key: bytes | None, upto: dict[str, int], condition: str) -> int:
    """Of the messages parked when asked (up to `upto`), how many meet `condition`."""

    async def count(conn: asyncpg.Connection, service: str) -> int:
        return int(
            await conn.fetchval(
                f"""SELECT count(*) FROM parked_messages WHERE group_id = $1
                    AND ($2::bytea IS NULL OR record_key = $2) AND seq <= $3 AND {condition}""",
                group,
                key,
                upto.get(service, 0),
            )
        )

    return sum(n for n in (await each(settings.CONSUMING, count)).values() if isinstance(n, int))
