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
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.envelope import CloudEvent, KafkaRecord
from pavilion_core.kafka import KafkaPublisher, dlq_topic
from pavilion_core.parking import request_redrive, summary

from tests.integration.test_consumer import consumed
from tests.support import eventually, kafka_record, read_topic, submitted_data, topic_size


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
    read_pool: asyncpg.Pool, kafka: KafkaSettings, publisher: KafkaPublisher, topic: str
):
    failing, healthy = str(uuid.uuid4()), str(uuid.uuid4())
    for record in [*lifecycle(failing, "Failing AG"), *lifecycle(healthy, "Healthy AG")]:
        await publisher.publish(topic, [record])
    bug, group, stop = Broken(failing), f"g-{uuid.uuid4()}", asyncio.Event()
    consumer = ConsumerLoop(
        pool=read_pool, kafka=kafka, group_id=group, topics=[topic], handler=bug,
        dead_letters=publisher,
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
    read_pool: asyncpg.Pool, kafka: KafkaSettings, publisher: KafkaPublisher, topic: str
):
    failing = str(uuid.uuid4())
    await publisher.publish(topic, lifecycle(failing, "Failing AG"))
    group, stop = f"g-{uuid.uuid4()}", asyncio.Event()
    consumer = ConsumerLoop(
        pool=read_pool, kafka=kafka, group_id=group, topics=[topic], handler=Broken(failing),
        dead_letters=None,
    )  # fmt: skip
    running = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: consumed(read_pool, group, 3), what="all three consumed")
        await request_redrive(read_pool, group)
        await eventually(lambda: _request_answered(read_pool, group), what="the redrive tried")
        [figures] = await summary(read_pool)
        assert (figures.group, figures.records, figures.messages) == (group, 1, 3)
        assert figures.oldest_error == "ValueError: a projection bug"
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
