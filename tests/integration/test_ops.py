"""The operator CLI against the real Kafka and PostgreSQL: `status` shows figures that move
as load is applied and how far back each topic reaches, and a dead letter whose fault is
fixed is redriven by `parked redrive`, by its consumer group alone."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, RecordsToDelete
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import CloudEvent, Metadata, NewEvent
from pavilion_core.eventstore import StreamAppend
from pavilion_core.kafka import KafkaPublisher, dlq_topic, offset_ranges, partitions
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore
from pavilion_ops import deadletters
from pavilion_ops.cli import app
from pavilion_ops.status import Reach, kafka_figures, outbox_backlogs, publishing, topic_reach
from typer.testing import CliRunner

from tests.integration.test_consumer import consumed, loop, submitted_record
from tests.support import eventually, read_topic

META = Metadata(correlation_id="ops-test", actor="staff:ops")


@pytest.fixture
def exhibitors_env(monkeypatch, store_url: str, topic: str) -> None:
    monkeypatch.setenv("PAVILION_EXHIBITORS_DATABASE_URL", store_url)
    monkeypatch.setenv("PAVILION_EXHIBITORS_TOPIC", topic)


async def _append(store: EventStore, n: int) -> None:
    for _ in range(n):
        await store.append_many(
            [StreamAppend(str(uuid.uuid4()), [NewEvent("ReviewStarted", {"x": 1})], None)], META
        )


async def test_status_figures_move_as_load_is_applied(
    exhibitors_env, store: EventStore, kafka: KafkaSettings, topic: str, publisher: KafkaPublisher
):
    # outbox backlog: events stored, no relay running
    assert (await outbox_backlogs())["exhibitors"] == 0
    await _append(store, 5)
    assert (await outbox_backlogs())["exhibitors"] == 5

    # consumer lag: a group that has committed its position, then more messages
    group = f"ops-{uuid.uuid4().hex[:8]}"
    await publisher.publish(topic, [submitted_record(f"Co {i}") for i in range(3)])
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka.bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        await eventually(lambda: _take(consumer, 3), what="three consumed")
        await consumer.commit()
    finally:
        await consumer.stop()
    lag, dead = await kafka_figures(kafka)
    assert lag[group] == 0 and dead[dlq_topic(topic)] == 0
    await publisher.publish(topic, [submitted_record(f"Late {i}") for i in range(7)])
    await publisher.publish(dlq_topic(topic), [submitted_record("Poison")] * 2)
    lag, dead = await kafka_figures(kafka)
    assert lag[group] == 7 and dead[dlq_topic(topic)] == 2

    shown = await asyncio.to_thread(CliRunner().invoke, app, ["status"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    [row] = [line for line in shown.output.splitlines() if group in line]
    assert "7" in row.split(group)[1]
    assert any("exhibitors" in line and " 5 " in line for line in shown.output.splitlines())


async def test_status_says_which_transaction_holds_publishing_back_and_for_how_long(
    exhibitors_env, store: EventStore, store_pool: asyncpg.Pool
):
    assert (await publishing())["exhibitors"] == "flowing"
    async with store_pool.acquire() as conn, conn.transaction():
        xid = await conn.fetchval("SELECT pg_current_xact_id()::text")
        await _append(store, 1)  # committed after the open transaction took its id

        async def held() -> bool:
            line = (await publishing())["exhibitors"]
            return line.startswith(f"publishing held back by transaction {xid} for ")

        await eventually(held, what="the open transaction named")
        shown = await asyncio.to_thread(CliRunner().invoke, app, ["status"], env={"COLUMNS": "200"})
        assert f"held back by transaction {xid}" in shown.output, shown.output
    assert (await publishing())["exhibitors"] == "flowing"


async def test_status_shows_how_far_back_each_topic_reaches(
    monkeypatch, kafka: KafkaSettings, topic: str, publisher: KafkaPublisher
):
    monkeypatch.setenv("PAVILION_EXHIBITORS_TOPIC", topic)
    before = datetime.now(UTC) - timedelta(seconds=5)  # the broker's clock may differ a bit
    await publisher.publish(topic, [submitted_record(f"Co {i}") for i in range(6)])
    reach = await eventually(lambda: _reach_of(kafka, topic), what="the reach of both topics")
    assert reach[topic].complete and reach[topic].retention_ms == -1
    assert reach[topic].oldest and before < reach[topic].oldest < before + timedelta(minutes=1)
    assert reach[dlq_topic(topic)].complete and reach[dlq_topic(topic)].oldest is None

    ranges = await offset_ranges(kafka, await partitions(kafka, [topic]))
    tp, (_, end) = next((tp, r) for tp, r in ranges.items() if r[1])
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        await admin.delete_records({tp: RecordsToDelete(end)})
    finally:
        await admin.close()
    reach = await topic_reach(kafka)
    assert not reach[topic].complete and reach[topic].first_offsets[tp.partition] == end

    shown = await asyncio.to_thread(CliRunner().invoke, app, ["status"], env={"COLUMNS": "250"})
    assert shown.exit_code == 0, shown.output
    [row] = [line for line in shown.output.splitlines() if f"{topic} " in line]
    assert "forever" in row and f"{end} (partition {tp.partition})" in row, row
    assert f"INCOMPLETE: {end} records deleted" in row, row
    *_, dlq_row = [line for line in shown.output.splitlines() if dlq_topic(topic) in line]
    assert "forever" in dlq_row and "empty" in dlq_row and "complete" in dlq_row, dlq_row


async def _reach_of(kafka: KafkaSettings, topic: str) -> dict[str, Reach] | None:
    reach = await topic_reach(kafka)
    return reach if {topic, dlq_topic(topic)} <= set(reach) else None


_seen: list[object] = []


async def _take(consumer: AIOKafkaConsumer, n: int) -> bool:
    batch = await consumer.getmany(timeout_ms=200)
    _seen.extend(m for messages in batch.values() for m in messages)
    if len(_seen) >= n:
        _seen.clear()
        return True
    return False


async def test_a_parked_message_whose_fault_is_fixed_is_redriven_by_its_group(
    monkeypatch,
    read_model_url: str,
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
    sealer: Sealer,
):
    monkeypatch.setenv("PAVILION_GATEWAY_DATABASE_URL", read_model_url)
    from gateway.projector import project

    broken = True

    async def until_fixed(conn, event: CloudEvent) -> None:  # type: ignore[no-untyped-def]
        if broken and event.data["companyName"] == "Needs A Fix":
            raise ValueError("the projection of this event has a bug")
        await project(conn, event)

    group = f"ops-{uuid.uuid4().hex[:8]}"
    stop = asyncio.Event()
    running = asyncio.create_task(
        loop(read_pool, kafka, topic, publisher, group, sealer, until_fixed).run(stop)
    )
    try:
        await publisher.publish(
            topic, [submitted_record("Fine Co"), submitted_record("Needs A Fix")]
        )
        await eventually(lambda: consumed(read_pool, group, 2), what="both consumed")
        [letter] = await read_topic(kafka, dlq_topic(topic), lambda m: len(m) >= 1)
        assert await _names(read_pool) == ["Fine Co"]

        runner = CliRunner()
        shown = await asyncio.to_thread(
            runner.invoke, app, ["dlq", "show", dlq_topic(topic)], env={"COLUMNS": "300"}
        )
        assert shown.exit_code == 0 and "ValueError" in shown.output, shown.output
        [shown_letter] = await deadletters.show(kafka, dlq_topic(topic))
        assert shown_letter.error == "ValueError"  # its type and code: no message
        assert shown_letter.original.startswith(f"{topic}@")

        held = await asyncio.to_thread(
            runner.invoke, app, ["parked", "show"], env={"COLUMNS": "300"}
        )
        assert group in held.output and "ValueError" in held.output, held.output

        failed = await asyncio.to_thread(runner.invoke, app, ["parked", "redrive", group])
        assert failed.exit_code == 1, failed.output  # not fixed yet: it stays parked
        assert "1 parked messages: 0 applied, 1 still parked" in failed.output, failed.output

        broken = False  # the fix is deployed
        sent = await asyncio.to_thread(runner.invoke, app, ["parked", "redrive", group])
        assert "1 parked messages: 1 applied, 0 still parked" in sent.output, sent.output
        assert await _has(read_pool, "Needs A Fix")
        again = await asyncio.to_thread(runner.invoke, app, ["parked", "redrive", group])
        assert "0 parked messages" in again.output, again.output
    finally:
        stop.set()
        await running
    assert await _names(read_pool) == ["Fine Co", "Needs A Fix"]
    assert dict(letter.headers)["dlq_error_type"] == b"ValueError"


async def _names(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT company_name FROM exhibitors ORDER BY company_name")
    return [r["company_name"] for r in rows]


async def _has(pool: asyncpg.Pool, name: str) -> bool:
    return name in await _names(pool)
