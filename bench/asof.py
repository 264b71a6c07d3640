"""What an answer as of a past moment costs (gateway.asof): the replay of the timeline up
to the moment into temporary tables, and the dashboard asked `asOf` end to end, against
the same dashboard of the present — at the demo's size and larger.

    python -m bench.asof [--applications 320 1000 3000] [--rounds 3]

Each size gets a fresh database: its read model holds the history of `bench.history`
(seven events per application, spread over the year before the moment asked), plus each
application's booth defined and allocated on one hall's floor plan — a deep stream, the
replay's worst case (its events are applied one layer each). Prints figures, asserts
nothing.
"""

import argparse
import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from gateway.asof import replay_until
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.projector import Projector
from gateway.readmodel import open_read_pool, prepare_at
from gateway.schema import schema
from pavilion_contracts.reader import READER
from pavilion_core.envelope import CloudEvent, RecordedEvent, to_kafka
from pavilion_core.testing import FixedClock

from bench.history import AT, events
from bench.stack import database

BOARD = """query($at: DateTime) { editionDashboard(edition: "BENCH-0001", asOf: $at) {
  totalExhibitors exhibitorsByStatus { key count } boothsTaken interestsByStage { key count } } }"""
HALL = "floorplan:BENCH-0001:H1"


def history(applications: int) -> list[CloudEvent]:
    """The applications' lives, an hour apart each, and their booths on one floor plan."""
    decoded = []
    for n, event in enumerate(events(applications * 7)):
        at = AT + timedelta(hours=n // 7 * 24 * 365 / max(applications, 1) + n % 7)
        decoded.append(_decoded(replace(event, recorded_at=at), "exhibitors"))
        if event.type == "ParticipationConfirmed":
            decoded += _booth(event, at, len(decoded))
    return decoded


def _booth(confirmed: RecordedEvent, at: datetime, n: int) -> list[CloudEvent]:
    where = {"edition": "BENCH-0001", "hall": "H1", "boothCode": f"B-{n:05d}"}
    app = {"applicationId": confirmed.stream_id}
    return [
        _decoded(_on_hall(kind, data, at, n), "exhibitors")
        for kind, data in (
            ("BoothDefined", {**where, "sizeSqm": 18, "supplyChainArea": "CLEAN_ENERGY"}),
            ("BoothAllocated", {**where, **app}),
        )
    ]


_VERSIONS: dict[str, int] = {}


def _on_hall(kind: str, data: dict[str, Any], at: datetime, n: int) -> RecordedEvent:
    _VERSIONS[HALL] = _VERSIONS.get(HALL, 0) + 1
    return RecordedEvent(uuid.uuid4(), HALL, _VERSIONS[HALL], n, kind, 1, data,
                         {"correlation_id": "bench-asof", "actor": "bench"}, at)  # fmt: skip


def _decoded(event: RecordedEvent, service: str) -> CloudEvent:
    record = to_kafka(event, service)
    return READER.decode(record.value, record.headers)


async def _median(rounds: int, run: Callable[[], Awaitable[object]]) -> float:
    took = []
    for _ in range(rounds):
        start = time.perf_counter()
        await run()
        took.append(time.perf_counter() - start)
    return statistics.median(took) * 1000


async def measure(applications: int, rounds: int) -> dict[str, float]:
    _VERSIONS.clear()
    async with database(f"asof_{applications}") as url:
        await prepare_at(url, "bench-asof")
        pool = await open_read_pool(url, "bench-asof", size=4, prepared=True)
        try:
            story = history(applications)
            for chunk in range(0, len(story), 500):  # the consumer loop's batches
                async with pool.acquire() as conn, conn.transaction():
                    await Projector(announce=False).batch(conn, story[chunk : chunk + 500])
            last = max(e.time for e in story)
            figures: dict[str, float] = {"events": len(story)}
            for share in (0.5, 1.0):
                moment = AT + (last - AT) * share

                async def replay(moment: datetime = moment) -> None:
                    async with pool.acquire() as conn, conn.transaction():
                        await replay_until(conn, moment)
                        raise _RolledBack

                figures[f"replay {share:.0%} ms"] = await _median(rounds, _ignoring(replay))
            ctx = _context(pool, last + timedelta(days=1))
            figures["dashboard now ms"] = await _median(rounds, lambda: _ask(ctx, None))
            figures["dashboard asOf ms"] = await _median(rounds, lambda: _ask(ctx, last))
            return figures
        finally:
            await pool.close()


class _RolledBack(Exception):
    """Leaves the transaction of a replay (a replay is never kept)."""


def _ignoring(run: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    async def ran() -> None:
        try:
            await run()
        except _RolledBack:
            pass

    return ran


def _context(pool: asyncpg.Pool, now: datetime) -> Context:
    services = Services(pool=pool, commands=None, news=None, limits=Limits(statement_seconds=60))  # type: ignore[arg-type]
    services.clock = FixedClock(now)
    return Context(services=services, viewer=Viewer("bench", Role.ADMIN))


async def _ask(ctx: Context, at: datetime | None) -> None:
    ctx.fresh_loaders()
    variables = {"at": at.isoformat() if at else None}
    result = await schema.execute(BOARD, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors  # a wrong answer is no figure


async def main(sizes: list[int], rounds: int) -> None:
    print(f"{'applications':>12} {'events':>7} {'replay 50%':>11} {'replay 100%':>12} "
          f"{'board now':>10} {'board asOf':>11}  (ms, median of {rounds})")  # fmt: skip
    for size in sizes:
        f = await measure(size, rounds)
        print(f"{size:>12} {f['events']:>7.0f} {f['replay 50% ms']:>11.0f} "
              f"{f['replay 100% ms']:>12.0f} {f['dashboard now ms']:>10.1f} "
              f"{f['dashboard asOf ms']:>11.0f}")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.asof")
    parser.add_argument("--applications", type=int, nargs="+", default=[320, 1000, 3000])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.applications, args.rounds))
