"""The projector's batches (one timeline statement, then layers of grouped statements)
build exactly the read model that the same events build one at a time: checked on the
events the exhibitors and outreach demos really store, with redeliveries and an event
type the projector does not know mixed in."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import httpx
from exhibitors.demo import load as exhibitors_demo
from gateway.projector import Projector
from gateway.readmodel import open_read_pool
from outreach.demo import load as outreach_demo
from pavilion_core.envelope import CloudEvent, KafkaRecord, from_kafka, to_kafka
from pavilion_core.pgstore import EVENT_COLUMNS, recorded_event

from tests.conftest import _fresh_database
from tests.support import STORY_TIME, cloud_event


async def stored_records(pool: asyncpg.Pool, service: str) -> list[KafkaRecord]:
    """The events of a service's store, as its relay publishes them."""
    rows = await pool.fetch(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY position")
    return [to_kafka(recorded_event(row), service) for row in rows]


async def _events(pool: asyncpg.Pool, service: str) -> list[CloudEvent]:
    return [from_kafka(r.value, r.headers) for r in await stored_records(pool, service)]


async def dump(pool: asyncpg.Pool) -> dict[str, list[str]]:
    """Every table of the current generation, as sorted row texts."""
    tables = await pool.fetch(
        """SELECT table_name FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"""
    )
    return {
        t["table_name"]: sorted(
            repr(tuple(r)) for r in await pool.fetch(f'SELECT * FROM "{t["table_name"]}"')
        )
        for t in tables
    }


async def test_batches_build_the_same_read_model_as_one_event_at_a_time(
    exhibitors_history: httpx.AsyncClient,
    outreach_api: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    outreach_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    templates: dict[str, str],
):
    await outreach_demo(outreach_api, anchor=STORY_TIME.date())
    await exhibitors_demo(exhibitors_history, count=80)
    events = await _events(outreach_pool, "outreach") + await _events(store_pool, "exhibitors")
    unknown = cloud_event("exhibitors", "SomethingNew", str(uuid.uuid4()), note="later")
    events[40:40] = [events[3], unknown, events[39]]  # redelivered, and not known yet
    events += events[100:120]
    assert len({e.type for e in events}) > 30

    project = Projector(announce=False)
    async with read_pool.acquire() as conn:
        for event in events:
            async with conn.transaction():
                await project(conn, event)
    async with other_read_model(templates) as batched:
        async with batched.acquire() as conn:
            for start in range(0, len(events), 97):
                async with conn.transaction():
                    await project.batch(conn, events[start : start + 97])
        one_by_one, in_batches = await dump(read_pool), await dump(batched)
    assert in_batches == one_by_one
    assert len(one_by_one["timeline"]) == len({e.id for e in events}) - 1  # not `unknown`
    assert one_by_one["skipped_events"] == [repr(("pavilion.exhibitors.SomethingNew.v1", 1))]


@asynccontextmanager
async def other_read_model(templates: dict[str, str]) -> AsyncIterator[asyncpg.Pool]:
    async for url in _fresh_database(templates["readmodel"]):
        pool = await open_read_pool(url, "any", size=2)
        try:
            yield pool
        finally:
            await pool.close()
