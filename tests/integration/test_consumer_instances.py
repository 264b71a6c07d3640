"""Two instances of the gateway projector in one consumer group share the partitions of
its topic. A rebalance while a batch is in flight (an instance joining, one leaving)
neither applies a batch twice nor skips one: the pair builds the read model that one
instance builds. A stale instance's batch is refused, not applied."""

import uuid

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from exhibitors.demo import load as exhibitors_demo
from outreach.demo import load as outreach_demo
from pavilion_core.envelope import KafkaRecord
from pavilion_core.kafka import KafkaPublisher

from tests.integration.consumer_support import (
    REFUSED,
    Gate,
    Start,
    add_applications,
    applications,
    logged,
)
from tests.integration.test_consumer import consumed, submitted_record
from tests.integration.test_projector_batches import dump, other_read_model, stored_records
from tests.support import STORY_TIME, eventually

REBALANCE = 60.0  # seconds: a member notices a rebalance at its next heartbeat (3 s)


async def test_two_instances_and_rebalances_build_what_one_instance_builds(
    exhibitors_history: httpx.AsyncClient,
    outreach_api: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    outreach_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    templates: dict[str, str],
    publisher: KafkaPublisher,
    topic: str,
    start: Start,
    caplog: pytest.LogCaptureFixture,
):
    await outreach_demo(outreach_api, anchor=STORY_TIME.date())
    await exhibitors_demo(exhibitors_history, count=40)
    records = await stored_records(outreach_pool, "outreach")
    records += await stored_records(store_pool, "exhibitors")
    await publisher.publish(topic, records)  # keyed by stream: over all six partitions
    pair, alone = f"pair-{uuid.uuid4()}", f"alone-{uuid.uuid4()}"
    await add_applications(read_pool)
    async with other_read_model(templates) as alone_pool:
        await add_applications(alone_pool)
        one = start("alone", alone_pool, alone, batch_size=50)

        # A holds every partition, and is held in its first batch, which spans them all.
        held_a, held_b = Gate(at=1), Gate(at=3)
        a = start("A", read_pool, pair, batch_size=len(records), begin=held_a)
        await eventually(held_a.is_reached, what="A mid-batch")
        # B joins: the partitions are shared anew while A is mid-batch. B applies two
        # batches of its share and is held in its third.
        b = start("B", read_pool, pair, batch_size=20, begin=held_b)
        await eventually(held_b.is_reached, within=REBALANCE, what="B in its third batch")
        held_a.opened.set()  # A's batch holds records that B has applied since
        await eventually(lambda: _logged(caplog, REFUSED), what="A's stale batch refused")
        b.stop.set()  # B leaves mid-way, once the batch in hand is applied; A takes over
        held_b.opened.set()
        await b.task
        for pool, group in ((read_pool, pair), (alone_pool, alone)):
            await eventually(
                lambda p=pool, g=group: consumed(p, g, len(records)),
                within=REBALANCE,
                what=f"{group} caught up",
            )
        await a.stopped()
        await one.stopped()

        assert await dump(read_pool) == await dump(alone_pool)
        assert await applications(read_pool) == (len(records), len(records))
        assert await applications(alone_pool) == (len(records), len(records))
    by = await read_pool.fetch("SELECT DISTINCT instance FROM public.applications")
    assert {r["instance"] for r in by} == {"A", "B"}


async def test_a_stale_instance_s_batch_is_refused_and_not_applied(
    read_pool: asyncpg.Pool,
    producer: AIOKafkaProducer,
    topic: str,
    start: Start,
    caplog: pytest.LogCaptureFixture,
):
    """A is mid-batch on partition 0 when another instance, which took the partition
    over, applies it. That one is played by the test: it stores the offset as its batch
    would, without the batch's effects, so that whatever A applies of it shows."""
    await _to_partition_0(producer, topic, [submitted_record(f"Early {i}") for i in range(10)])
    group, held = f"g-{uuid.uuid4()}", Gate(at=1)
    await add_applications(read_pool)
    a = start("A", read_pool, group, begin=held)
    await eventually(held.is_reached, what="A mid-batch")

    async with read_pool.acquire() as other, other.transaction():
        await other.execute(
            """INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
               VALUES ($1, $2, 0, 10)""",
            group,
            topic,
        )
        held.opened.set()
        await eventually(lambda: _waits_for_a_lock(read_pool), what="A waiting for the row")
    await _to_partition_0(producer, topic, [submitted_record(f"Late {i}") for i in range(3)])
    await eventually(lambda: consumed(read_pool, group, 13), what="the late ones applied")
    await a.stopped()

    names = await read_pool.fetch("SELECT company_name FROM exhibitors ORDER BY company_name")
    assert [r["company_name"] for r in names] == ["Late 0", "Late 1", "Late 2"]
    assert await applications(read_pool) == (3, 3)
    assert logged(caplog, REFUSED) >= 1


async def _to_partition_0(producer: AIOKafkaProducer, topic: str, records: list[KafkaRecord]):
    for r in records:
        await producer.send_and_wait(topic, r.value, r.key, partition=0, headers=r.headers)


async def _waits_for_a_lock(pool: asyncpg.Pool) -> bool:
    waiting = await pool.fetchval(
        """SELECT count(*) FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock'"""
    )
    return bool(waiting)


async def _logged(caplog: pytest.LogCaptureFixture, message: str) -> bool:
    return logged(caplog, message) > 0
