"""Per-record order under failure: a message the consumer cannot apply is parked with
every later message of its record while other records flow, and a redrive, carried out
by the failed group alone, applies the parked sequence in order.

Before parking (the loop dead-lettered the message and went on; the redrive published
it to the topic again, for every group): v1 of an application failed, v2 and v3 updated
no row, and the redriven v1 inserted it as SUBMITTED for good."""

import asyncio
import uuid

import asyncpg
from gateway.projector import project
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.envelope import CloudEvent, KafkaRecord
from pavilion_core.kafka import KafkaPublisher, dlq_topic
from pavilion_core.outages import Backoff
from pavilion_core.parking import request_redrive, summary
from pavilion_core.personal import Sealer

from tests.integration.test_consumer import consumed
from tests.support import (
    eventually,
    kafka_record,
    read_topic,
    registered,
    submitted_data,
    topic_size,
)


def lifecycle(app: str, company: str) -> list[KafkaRecord]:
    """An application's first three events: submitted, under review, approved."""
    return [
        kafka_record(
            "exhibitors",
            "ApplicationSubmitted",
            app,
            **submitted_data(app, company, "DE", [], "SMART_VEHICLES"),
        ),
        kafka_record("exhibitors", "ReviewStarted", app, version=2, applicationId=app),
        kafka_record("exhibitors", "ApplicationApproved", app, version=3, applicationId=app),
    ]


class Broken:
    """The projector with a bug that fails on one application's submission until fixed."""

    def __init__(self, application: str) -> None:
        self.application, self.fixed = application, False

    async def __call__(self, conn: asyncpg.Connection, event: CloudEvent) -> None:
        if not self.fixed and event.subject == self.application and event.stream_version == 1:
            raise ValueError("a projection bug")
        await project(conn, event)


async def parked(pool: asyncpg.Pool, group: str) -> int:
    return int(
        await pool.fetchval("SELECT count(*) FROM parked_messages WHERE group_id = $1", group)
    )


async def test_a_failed_record_waits_with_its_later_messages_and_a_redrive_applies_them_in_order(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    failing, healthy = str(uuid.uuid4()), str(uuid.uuid4())
    for record in [*lifecycle(failing, "Failing AG"), *lifecycle(healthy, "Healthy AG")]:
        await publisher.publish(topic, [record])
    bug, group, stop = Broken(failing), f"g-{uuid.uuid4()}", asyncio.Event()
    consumer = ConsumerLoop(
        pool=read_pool, kafka=kafka, group_id=group, topics=[topic], handler=bug,
        reader=READER, dead_letters=publisher, sealer=sealer,
    )  # fmt: skip
    running = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: consumed(read_pool, group, 6), what="all six consumed")
        rows = await read_pool.fetch("SELECT id::text, status, version FROM exhibitors")
        assert [(r["id"], r["status"], r["version"]) for r in rows] == [(healthy, "APPROVED", 3)]
        assert await parked(read_pool, group) == 3  # the failed one and the two behind it
        [notice] = await read_topic(kafka, dlq_topic(topic), lambda m: len(m) >= 1)
        assert dict(notice.headers)["dlq_error_type"] == b"ValueError"

        # what comes later for the parked record waits too
        withdrawn = kafka_record(
            "exhibitors", "ApplicationWithdrawn", failing, version=4, applicationId=failing
        )
        await publisher.publish(topic, [withdrawn])
        await eventually(lambda: consumed(read_pool, group, 7), what="the fourth consumed")
        assert await parked(read_pool, group) == 4

        bug.fixed = True
        assert await request_redrive(read_pool, group) == 4
        await eventually(lambda: _none_parked(read_pool, group), what="the redrive")
        status = await read_pool.fetchrow(
            "SELECT status, version FROM exhibitors WHERE id = $1", uuid.UUID(failing)
        )
        assert (status["status"], status["version"]) == ("WITHDRAWN", 4)
        assert await read_pool.fetchval("SELECT count(*) FROM timeline") == 7  # once each
        assert await topic_size(kafka, topic) == 7  # redriven by the group, not republished
    finally:
        stop.set()
        await running


async def _none_parked(pool: asyncpg.Pool, group: str) -> bool:
    return await parked(pool, group) == 0


async def test_a_redrive_that_fails_again_leaves_the_record_parked_and_says_why(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    failing = str(uuid.uuid4())
    await publisher.publish(topic, lifecycle(failing, "Failing AG"))
    group, stop = f"g-{uuid.uuid4()}", asyncio.Event()
    consumer = ConsumerLoop(
        pool=read_pool, kafka=kafka, group_id=group, topics=[topic], handler=Broken(failing),
        reader=READER, dead_letters=None, sealer=sealer,
    )  # fmt: skip
    running = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: consumed(read_pool, group, 3), what="all three consumed")
        await request_redrive(read_pool, group)
        await eventually(lambda: _request_answered(read_pool, group), what="the redrive tried")
        [figures] = await summary(read_pool)
        assert (figures.group, figures.records, figures.messages) == (group, 1, 3)
        assert figures.oldest_error == "ValueError"  # its type and code: no message
        assert await read_pool.fetchval("SELECT count(*) FROM exhibitors") == 0
    finally:
        stop.set()
        await running


async def _request_answered(pool: asyncpg.Pool, group: str) -> bool:
    return not await pool.fetchval(
        """SELECT count(*) FROM parked_messages
           WHERE group_id = $1 AND redrive_requested_at IS NOT NULL""",
        group,
    )


async def test_a_failover_error_is_retried_so_a_withdrawal_is_never_lost(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    """During a failover a statement is cancelled, a lock is not granted in time, the
    database is a read-only standby for a moment. Before: such errors were poison, the
    withdrawal was dead-lettered and its offset moved on — the consent stayed granted."""
    ada = str(uuid.uuid4())
    kind = {"contactId": ada, "channel": "EMAIL", "purpose": "MARKETING"}
    contact = registered(ada, "Ada", "a@x.test", "CA", "en")
    await publisher.publish(topic, [
        kafka_record("outreach", "ContactRegistered", ada, **contact),
        kafka_record("outreach", "ConsentGranted", ada, version=2, **kind, legalBasis="EXPRESS",
                     evidence="form", grantedAt="2026-01-01T00:00:00+00:00", expiresAt=None),
        kafka_record("outreach", "ConsentWithdrawn", ada, version=3, **kind,
                     withdrawnAt="2026-02-01T00:00:00+00:00"),
    ])  # fmt: skip
    faults = ["statement timeout", "lock timeout", "read-only standby"]
    async with read_pool.acquire() as holder, holder.transaction():
        await holder.execute("LOCK TABLE booths IN SHARE MODE")  # an operator's, say

        async def failing_over(conn: asyncpg.Connection, event: CloudEvent) -> None:
            if event.event_type == "ConsentWithdrawn" and faults:
                await FAILOVER[faults.pop(0)](conn)
            await project(conn, event)

        group, stop = f"g-{uuid.uuid4()}", asyncio.Event()
        consumer = ConsumerLoop(
            pool=read_pool, kafka=kafka, group_id=group, topics=[topic], handler=failing_over,
            reader=READER, dead_letters=publisher, backoff=Backoff(first=0.05, cap=0.1),
            sealer=sealer,
        )  # fmt: skip
        running = asyncio.create_task(consumer.run(stop))
        try:
            await eventually(lambda: consumed(read_pool, group, 3), what="all three applied")
        finally:
            stop.set()
            await running
    assert faults == []
    assert await read_pool.fetchval("SELECT withdrawn_at IS NOT NULL FROM consents")
    assert await parked(read_pool, group) == 0
    assert await topic_size(kafka, dlq_topic(topic)) == 0


async def _statement_timeout(conn: asyncpg.Connection) -> None:
    await conn.execute("SET LOCAL statement_timeout = '10ms'")
    await conn.execute("SELECT pg_sleep(1)")


async def _lock_timeout(conn: asyncpg.Connection) -> None:
    await conn.execute("SET LOCAL lock_timeout = '10ms'")
    await conn.execute("LOCK TABLE booths IN EXCLUSIVE MODE")


async def _read_only(conn: asyncpg.Connection) -> None:
    await conn.execute("SET LOCAL transaction_read_only = on")


FAILOVER = {
    "statement timeout": _statement_timeout,
    "lock timeout": _lock_timeout,
    "read-only standby": _read_only,
}
