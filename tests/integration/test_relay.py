"""The outbox relay against the real PostgreSQL and Kafka."""

import asyncio
import random
import uuid
from collections import defaultdict
from collections.abc import Sequence

import asyncpg
from aiokafka import ConsumerRecord
from gateway.projector import project
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.envelope import KafkaRecord, Metadata, NewEvent, header_attributes
from pavilion_core.eventstore import StreamAppend
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore, append_in
from pavilion_core.relay import OutboxRelay

from tests.support import eventually, read_topic

META = Metadata(correlation_id="relay-test", actor="tester")


def ids(messages: Sequence[ConsumerRecord]) -> list[str]:
    return [header_attributes(m.headers)["ce_id"] for m in messages]


def relay(pool: asyncpg.Pool, publisher: KafkaPublisher, topic: str, **kw: object) -> OutboxRelay:
    return OutboxRelay(pool, publisher, service="exhibitors", topic=topic, **kw)  # type: ignore[arg-type]


async def test_concurrent_writers_events_reach_kafka_once_each_in_stream_order(
    store: EventStore,
    store_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
):
    streams = [f"order-{uuid.uuid4()}" for _ in range(50)]
    stop = asyncio.Event()
    running = asyncio.create_task(relay(store_pool, publisher, topic, batch_size=100).run(stop))

    async def writer(w: int) -> list[str]:
        rng, written = random.Random(w), []
        for i in range(250):
            stream = rng.choice(streams)
            while True:  # writers race on shared streams: re-read and retry on conflict
                version = len(await store.read_stream(stream))
                try:
                    result = await store.append(
                        stream,
                        [NewEvent("Counted", {"writer": w, "i": i})],
                        expected_version=version,
                        metadata=META,
                    )
                    break
                except Exception as exc:
                    assert type(exc).__name__ == "WrongExpectedVersion", exc
            written += result.event_ids
        return written

    written = [e for batch in await asyncio.gather(*(writer(w) for w in range(4))) for e in batch]
    messages = await read_topic(kafka, topic, lambda m: len(m) >= 1000)
    stop.set()
    await running

    assert len(written) == 1000
    assert sorted(ids(messages)) == sorted(written)  # each exactly once
    versions: dict[str, list[int]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: (m.partition, m.offset)):
        versions[m.key.decode()].append(int(header_attributes(m.headers)["ce_streamversion"]))
    for stream, seen in versions.items():
        assert seen == list(range(1, len(seen) + 1)), stream


async def test_an_append_wakes_the_relay_once_committed_not_its_poll(
    store: EventStore,
    store_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
):
    """The store announces its commits (pgstore.Announcer); the relay's safety poll is
    set far beyond the wait here, so only that announcement can wake it."""
    stop = asyncio.Event()
    running = asyncio.create_task(relay(store_pool, publisher, topic, idle_poll=600).run(stop))
    first = await store.append("wake-1", [NewEvent("X", {})], expected_version=0, metadata=META)
    await read_topic(kafka, topic, lambda m: len(m) >= 1, within=10)  # now the relay idles
    second = await store.append("wake-2", [NewEvent("Y", {})], expected_version=0, metadata=META)
    messages = await read_topic(kafka, topic, lambda m: len(m) >= 2, within=10)
    stop.set()
    await running

    assert sorted(ids(messages)) == sorted(first.event_ids + second.event_ids)  # partitions


async def test_a_late_commit_is_published_not_skipped(
    store: EventStore,
    store_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
):
    the_relay = relay(store_pool, publisher, topic)
    async with store_pool.acquire() as conn_a:
        tx_a = conn_a.transaction()
        await tx_a.start()
        a = await append_in(conn_a, [StreamAppend("late-a", [NewEvent("A", {})], 0)], META)
        b = await store.append("late-b", [NewEvent("B", {})], expected_version=0, metadata=META)
        assert a.positions[0] < b.positions[0]

        published_while_a_open = await the_relay.publish_batch()
        await tx_a.commit()

    assert published_while_a_open == 0  # B waits behind A's open transaction
    assert await the_relay.publish_batch() == 2
    messages = await read_topic(kafka, topic, lambda m: len(m) >= 2)
    assert sorted(ids(messages)) == sorted(a.event_ids + b.event_ids)
    assert await the_relay.backlog() == 0


async def test_a_rolled_back_append_leaves_no_gap_that_stalls_the_relay(
    store: EventStore,
    store_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    topic: str,
):
    the_relay = relay(store_pool, publisher, topic)
    async with store_pool.acquire() as conn:
        tx = conn.transaction()
        await tx.start()
        await append_in(conn, [StreamAppend("rolled-back", [NewEvent("X", {})], 0)], META)
        await tx.rollback()
    await store.append("after", [NewEvent("Y", {})], expected_version=0, metadata=META)
    assert await the_relay.publish_batch() == 1
    assert await the_relay.backlog() == 0


class CrashingPublisher:
    """Publishes the first half of a batch for real, then the process 'dies'."""

    def __init__(self, real: KafkaPublisher) -> None:
        self.real, self.crashed = real, asyncio.Event()

    async def publish(self, topic: str, records: Sequence[KafkaRecord]) -> None:
        await self.real.publish(topic, records[: len(records) // 2])
        self.crashed.set()
        await asyncio.Event().wait()  # hang until the task is cancelled, like a kill


async def test_a_relay_killed_mid_batch_loses_nothing_and_the_projection_applies_each_once(
    store: EventStore,
    store_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
    sealer: Sealer,
):
    written = []
    for i in range(40):
        app_id = str(uuid.uuid4())
        result = await store.append(
            app_id, [submitted(app_id, i)], expected_version=0, metadata=META
        )
        written += result.event_ids

    crashing = CrashingPublisher(publisher)
    first = asyncio.create_task(
        relay(store_pool, crashing, topic, batch_size=40).run(asyncio.Event())
    )
    await asyncio.wait_for(crashing.crashed.wait(), 20)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    half = await read_topic(kafka, topic, lambda m: len(m) >= 20)
    assert len(half) == 20

    stop = asyncio.Event()
    second = asyncio.create_task(relay(store_pool, publisher, topic).run(stop))
    messages = await read_topic(kafka, topic, lambda m: len(m) >= 60)
    assert set(ids(messages)) == set(written)  # nothing missing; the first half twice

    loop = ConsumerLoop(
        reader=READER,
        pool=read_pool,
        kafka=kafka,
        group_id=f"g-{uuid.uuid4()}",
        topics=[topic],
        handler=project,
        dead_letters=publisher,
        sealer=sealer,
    )
    projecting = asyncio.create_task(loop.run(stop))

    async def consumed() -> bool:  # offsets start at 0: their sum counts the messages
        return (
            await read_pool.fetchval("SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets")
            >= 60
        )

    await eventually(consumed, what="projector consumed all 60 messages")
    stop.set()
    await asyncio.gather(second, projecting)
    assert await read_pool.fetchval("SELECT count(*) FROM timeline") == 40
    assert await read_pool.fetchval("SELECT count(DISTINCT event_id) FROM timeline") == 40
    assert await read_pool.fetchval("SELECT count(*) FROM exhibitors") == 40


def submitted(app_id: str, i: int) -> NewEvent:
    return NewEvent(
        "ApplicationSubmitted",
        {
            "applicationId": app_id,
            "edition": "CISCE-2026",
            "companyName": f"Company {i}",
            "country": "CA",
            "supplyChainAreas": ["CLEAN_ENERGY"],
            "productCategories": [],
            "contacts": [],
            "organizationId": None,
            "sourceInterestId": None,
        },
    )


async def test_of_two_relay_instances_one_publishes_and_the_other_takes_over_when_it_stops(
    store: EventStore,
    store_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
):
    stop_a, stop_b = asyncio.Event(), asyncio.Event()
    a = asyncio.create_task(relay(store_pool, publisher, topic, standby_poll=0.2).run(stop_a))
    b = asyncio.create_task(relay(store_pool, publisher, topic, standby_poll=0.2).run(stop_b))
    first = await store.append("ha-1", [NewEvent("X", {})] * 50, expected_version=0, metadata=META)
    await read_topic(kafka, topic, lambda m: len(m) >= 50)

    stop_a.set()
    await a
    second = await store.append("ha-2", [NewEvent("Y", {})] * 50, expected_version=0, metadata=META)
    messages = await read_topic(kafka, topic, lambda m: len(m) >= 100)
    stop_b.set()
    await b

    assert sorted(ids(messages)) == sorted(first.event_ids + second.event_ids)  # no duplicates


async def test_a_relay_whose_lock_session_was_terminated_stops_publishing_when_another_takes_over(
    store: EventStore,
    store_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
):
    """Before terms: the first relay went on publishing through its pool while the
    standby, holding the lock now, published the same events (and the two moved the
    checkpoint back and forth)."""
    stop = asyncio.Event()
    a = relay(store_pool, publisher, topic, standby_poll=0.2, idle_poll=0.1)
    running_a = asyncio.create_task(a.run(stop))
    first = await store.append("t-1", [NewEvent("X", {})] * 10, expected_version=0, metadata=META)
    await read_topic(kafka, topic, lambda m: len(m) >= 10)
    b = relay(store_pool, publisher, topic, standby_poll=0.2, idle_poll=0.1)
    running_b = asyncio.create_task(b.run(stop))

    holder = await store_pool.fetchval(
        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database ="
        " (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    assert await store_pool.fetchval("SELECT pg_terminate_backend($1)", holder)

    async def taken_over() -> bool:
        term = await store_pool.fetchval("SELECT term FROM relay_checkpoints")
        return bool(term >= 2)

    await eventually(taken_over, what="the standby's term")
    more = []
    for i in range(20):  # a stream each: batches interleave with both relays' polls
        appended = await store.append(
            f"t-more-{i}", [NewEvent("Y", {})], expected_version=0, metadata=META
        )
        more += appended.event_ids
    messages = await read_topic(kafka, topic, lambda m: len(m) >= 30)
    await eventually(lambda: _relayed_all(store_pool), what="the checkpoint at the end")
    stop.set()
    await asyncio.gather(running_a, running_b)

    assert sorted(ids(messages)) == sorted(first.event_ids + more)  # none published twice


async def _relayed_all(pool: asyncpg.Pool) -> bool:
    return not await pool.fetchval(
        """SELECT count(*) FROM events e, relay_checkpoints c
           WHERE (e.xid, e.position) > (c.last_xid, c.last_position)"""
    )
