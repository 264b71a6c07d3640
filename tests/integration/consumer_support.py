"""Helpers for the tests of consumer-loop instances: each application written down, an
instance held mid-batch, instances running in the background."""

import asyncio
import logging
from collections.abc import Callable

import asyncpg
import pytest
from gateway.projector import project
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import BatchHandler, Begin, ConsumerLoop, Handler
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.outages import Backoff
from pavilion_core.personal import Sealer

REFUSED = "another instance applied these partitions; seeking to the stored offsets"
RETRYING = "consumer step failed; retrying"


async def add_applications(pool: asyncpg.Pool) -> None:
    """A table outside the read model for `written_down` to write to."""
    await pool.execute(
        "CREATE TABLE public.applications (event_id uuid NOT NULL, instance text NOT NULL)"
    )


def written_down(instance: str) -> tuple[Handler, BatchHandler]:
    """The projector, each event it applies also written down: not idempotent, so an
    event applied twice shows (the projector itself ignores a second copy)."""

    async def batch(conn: Connection, events: list[CloudEvent]) -> None:
        await conn.executemany(
            "INSERT INTO public.applications VALUES ($1, $2)", [(e.id, instance) for e in events]
        )
        await project.batch(conn, events)

    async def one(conn: Connection, event: CloudEvent) -> None:
        await batch(conn, [event])

    return one, batch


async def applications(pool: asyncpg.Pool) -> tuple[int, int]:
    """How many applications were written down, and of how many distinct events."""
    row = await pool.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT event_id) AS events FROM public.applications"
    )
    return row["n"], row["events"]


class Gate:
    """A `begin` hook that holds an instance's `at`-th batch until opened: the instance
    is then mid-batch, its transaction open, its offsets not checked yet."""

    def __init__(self, at: int) -> None:
        self.at, self.calls = at, 0
        self.reached, self.opened = asyncio.Event(), asyncio.Event()

    async def __call__(self, conn: Connection) -> None:
        self.calls += 1
        if self.calls == self.at:
            self.reached.set()
            await self.opened.wait()

    async def is_reached(self) -> bool:
        return self.reached.is_set()


class Running:
    """A projector instance (`name`) of `group`, running until stopped."""

    def __init__(
        self,
        name: str,
        pool: asyncpg.Pool,
        kafka: KafkaSettings,
        topic: str,
        publisher: KafkaPublisher,
        group: str,
        batch_size: int = 500,
        begin: Begin | None = None,
        *,
        sealer: Sealer,
        backoff: Backoff | None = None,
    ) -> None:
        handler, batch_handler = written_down(name)
        self.loop = ConsumerLoop(
            reader=READER,
            pool=pool,
            kafka=kafka,
            group_id=group,
            topics=[topic],
            handler=handler,
            batch_handler=batch_handler,
            dead_letters=publisher,
            sealer=sealer,
            batch_size=batch_size,
            begin=begin,
            backoff=backoff,
        )
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(self.loop.run(self.stop))

    async def stopped(self) -> None:
        self.stop.set()
        await self.task


Start = Callable[..., Running]  # the `start` fixture (conftest.py)


def logged(caplog: pytest.LogCaptureFixture, message: str) -> int:
    """How often the consumer loop has warned `message`."""
    return sum(
        1
        for r in caplog.records
        if r.name == "pavilion_core.consumer"
        and r.levelno == logging.WARNING
        and r.getMessage() == message
    )
