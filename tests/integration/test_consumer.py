"""The consumer loop against the real Kafka and PostgreSQL: poison parked with a notice on
the DLQ, exactly-once effect."""

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
import pytest
from gateway.projector import project
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import BatchHandler, ConsumerLoop, Handler
from pavilion_core.envelope import CloudEvent, KafkaRecord, RecordedEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher, dlq_topic
from pavilion_core.personal import Sealer

from tests.support import eventually, keys_on_one_partition, read_topic, topic_size


def submitted_record(company: str) -> KafkaRecord:
    app_id = uuid.uuid4()
    return to_kafka(
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=str(app_id),
            version=1,
            position=1,
            type="ApplicationSubmitted",
            schema_version=1,
            data={
                "applicationId": str(app_id),
                "edition": "CISCE-2026",
                "companyName": company,
                "country": "DE",
                "supplyChainAreas": ["SMART_VEHICLES"],
                "productCategories": [],
                "contacts": [],
                "organizationId": None,
                "sourceInterestId": None,
            },
            metadata={"correlation_id": "c", "causation_id": None, "actor": "t"},
            recorded_at=datetime.now(UTC),
        ),
        "exhibitors",
    )


def loop(
    pool: asyncpg.Pool,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
    group: str,
    sealer: Sealer,
    handler: Handler = project,
    batch_handler: BatchHandler | None = None,
) -> ConsumerLoop:
    return ConsumerLoop(
        reader=READER,
        pool=pool,
        kafka=kafka,
        group_id=group,
        topics=[topic],
        handler=handler,
        dead_letters=publisher,
        sealer=sealer,
        batch_handler=batch_handler,
    )


async def consumed(pool: asyncpg.Pool, group: str, at_least: int) -> bool:
    """Offsets start at 0, so the sum of a group's next offsets counts what it applied."""
    total = await pool.fetchval(
        "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE group_id = $1", group
    )
    return bool(total >= at_least)


@pytest.mark.parametrize("batch_handler", [None, project.batch], ids=["by-event", "batched"])
async def test_poison_messages_are_parked_with_a_notice_and_the_next_record_is_projected(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    batch_handler: BatchHandler | None,
    sealer: Sealer,
):
    first, last = submitted_record("First GmbH"), submitted_record("Last GmbH")
    missing_field = submitted_record("Broken")
    broken_data = json.loads(missing_field.value)
    del broken_data["companyName"]
    poison = [
        KafkaRecord(key=b"k", value=b"\x00\xffnot a cloudevent", headers=[]),
        KafkaRecord(key=first.key, value=b"{not json", headers=first.headers),
        KafkaRecord(
            key=missing_field.key,
            value=json.dumps(broken_data).encode(),
            headers=missing_field.headers,
        ),
    ]
    # five records on one partition, so the order below is the order consumed
    keys = keys_on_one_partition(5, kafka.partitions)
    for key, record in zip(keys, [first, *poison, last], strict=True):
        await publisher.publish(topic, [KafkaRecord(key, record.value, record.headers)])

    group, stop = f"g-{uuid.uuid4()}", asyncio.Event()
    consumer = loop(read_pool, kafka, topic, publisher, group, sealer, batch_handler=batch_handler)
    running = asyncio.create_task(consumer.run(stop))
    await eventually(lambda: consumed(read_pool, group, 5), what="all five consumed")
    stop.set()
    await running

    names = await read_pool.fetch("SELECT company_name FROM exhibitors ORDER BY company_name")
    assert [r["company_name"] for r in names] == ["First GmbH", "Last GmbH"]
    dead = await read_topic(kafka, dlq_topic(topic), lambda m: len(m) >= 3)
    assert len(dead) == 3
    errors = [dict((k, v.decode()) for k, v in m.headers) for m in dead]
    assert [e["dlq_error_type"] for e in errors] == ["DecodeError", "DecodeError", "KeyError"]
    assert [int(e["dlq_original_offset"]) for e in errors] == [1, 2, 3]
    assert all(
        e["dlq_original_topic"] == topic and e["dlq_consumer_group"] == group for e in errors
    )
    assert [m.value for m in dead] == [p.value for p in poison]  # as it came
    parked = await read_pool.fetch(
        "SELECT record_key, value FROM parked_messages WHERE group_id = $1 ORDER BY kafka_offset",
        group,
    )
    assert [(r["record_key"], r["value"]) for r in parked] == [
        (key, p.value) for key, p in zip(keys[1:4], poison, strict=True)
    ]


async def test_a_batch_the_batch_handler_fails_is_applied_again_event_by_event(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    records = [submitted_record(f"Co {i}") for i in range(6)]
    broken = json.loads(records[2].value)
    del broken["companyName"]  # decodes, but its projection fails
    records[2] = KafkaRecord(records[2].key, json.dumps(broken).encode(), records[2].headers)
    keys = keys_on_one_partition(len(records), kafka.partitions)
    await publisher.publish(
        topic, [KafkaRecord(k, r.value, r.headers) for k, r in zip(keys, records, strict=True)]
    )

    group, stop = f"g-{uuid.uuid4()}", asyncio.Event()
    consumer = loop(read_pool, kafka, topic, publisher, group, sealer, batch_handler=project.batch)
    running = asyncio.create_task(consumer.run(stop))
    await eventually(lambda: consumed(read_pool, group, 6), what="all six consumed")
    stop.set()
    await running

    names = await read_pool.fetch("SELECT company_name FROM exhibitors ORDER BY company_name")
    assert [r["company_name"] for r in names] == ["Co 0", "Co 1", "Co 3", "Co 4", "Co 5"]
    assert await read_pool.fetchval("SELECT count(*) FROM timeline") == 5  # once each
    [dead] = await read_topic(kafka, dlq_topic(topic), lambda m: len(m) >= 1)
    assert dict(dead.headers)["dlq_error_type"] == b"KeyError"


class Watching:
    """A DLQ publisher that notes, at each publish, the transactions open on `db`."""

    def __init__(self, real: KafkaPublisher, db: asyncpg.Pool) -> None:
        self.real, self.db = real, db
        self.open_during: list[int] = []

    async def publish(self, topic: str, records: Sequence[KafkaRecord]) -> None:
        self.open_during.append(
            await self.db.fetchval(
                """SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                   AND state LIKE 'idle in transaction%'"""
            )
        )
        await self.real.publish(topic, records)


async def test_a_message_is_dead_lettered_with_no_transaction_open(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    records = [submitted_record(f"Co {i}") for i in range(4)]
    records[1] = KafkaRecord(records[1].key, b"not json", records[1].headers)
    keys = keys_on_one_partition(len(records), kafka.partitions)
    await publisher.publish(
        topic, [KafkaRecord(k, r.value, r.headers) for k, r in zip(keys, records, strict=True)]
    )
    watching, group, stop = Watching(publisher, read_pool), f"g-{uuid.uuid4()}", asyncio.Event()
    running = asyncio.create_task(loop(read_pool, kafka, topic, watching, group, sealer).run(stop))  # type: ignore[arg-type]
    await eventually(lambda: consumed(read_pool, group, 4), what="all four consumed")
    stop.set()
    await running

    assert watching.open_during == [0]  # one dead letter, sent while no transaction was open
    assert await read_pool.fetchval("SELECT count(*) FROM exhibitors") == 3


async def test_a_restarted_consumer_resumes_from_its_stored_offsets(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    group = f"g-{uuid.uuid4()}"
    await publisher.publish(topic, [submitted_record(f"Co {i}") for i in range(10)])
    for expected in (10, 13):
        stop = asyncio.Event()
        running = asyncio.create_task(
            loop(read_pool, kafka, topic, publisher, group, sealer).run(stop)
        )
        await eventually(
            lambda e=expected: consumed(read_pool, group, e), what=f"{expected} consumed"
        )
        stop.set()
        await running
        await publisher.publish(topic, [submitted_record(f"More {i}") for i in range(3)])
    assert await read_pool.fetchval("SELECT count(*) FROM timeline") == 13
    assert await read_pool.fetchval("SELECT count(*) FROM exhibitors") == 13


async def test_a_transient_failure_retries_the_batch_instead_of_dead_lettering(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    failures = iter([ConnectionResetError("database went away")])

    async def flaky(conn: asyncpg.Connection, event: CloudEvent) -> None:
        if (error := next(failures, None)) is not None:
            raise error
        await project(conn, event)

    group, stop = f"g-{uuid.uuid4()}", asyncio.Event()
    await publisher.publish(topic, [submitted_record(f"Retry {i}") for i in range(4)])
    running = asyncio.create_task(
        loop(read_pool, kafka, topic, publisher, group, sealer, flaky).run(stop)
    )
    await eventually(lambda: consumed(read_pool, group, 4), what="all consumed")
    stop.set()
    await running
    assert await read_pool.fetchval("SELECT count(*) FROM exhibitors") == 4
    assert await read_pool.fetchval("SELECT count(*) FROM timeline") == 4
    assert await topic_size(kafka, dlq_topic(topic)) == 0
