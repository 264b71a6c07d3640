"""The topics are kept forever, and a replay refuses to build from deleted history.

Against the real Kafka and PostgreSQL: topics are created (and, existing, set again) to
keep their records forever; a rebuild of the read model over topics whose first records
were deleted is refused and leaves the serving generation as it was; with the whole
history it rebuilds everything."""

import asyncio
import logging
import uuid

import asyncpg
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic, RecordsToDelete
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from gateway.config import CacheSettings, Config, Limits
from gateway.readmodel import current_generation, generations
from gateway.rebuild import RebuildIncomplete, rebuild
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import KafkaRecord
from pavilion_core.kafka import (
    FOREVER,
    HistoryLost,
    KafkaPublisher,
    OffsetsBeyondLog,
    dlq_topic,
    ensure_topics,
    lost_history,
    offset_ranges,
    partitions,
    retention,
)
from pavilion_core.personal import Sealer
from pavilion_ops.cli import app
from pavilion_ops.status import stored_offsets_in_log
from typer.testing import CliRunner

from tests.integration.test_consumer import loop, submitted_record
from tests.support import eventually

COMPANIES = ["Alpha Co", "Beta Co", "Gamma Co", "Delta Co", "Epsilon Co", "Zeta Co"]


async def test_topics_are_created_to_keep_their_records_forever(kafka: KafkaSettings, topic: str):
    await _retention_becomes(kafka, {topic: FOREVER, dlq_topic(topic): FOREVER})


async def test_a_topic_with_a_short_retention_is_kept_forever_from_the_next_start(
    kafka: KafkaSettings, caplog: pytest.LogCaptureFixture
):
    name = f"pavtest.history.{uuid.uuid4().hex[:10]}"
    week = {"retention.ms": str(7 * 24 * 3600 * 1000), "retention.bytes": "1048576"}
    await _admin(
        kafka,
        "create_topics",
        [NewTopic(name, 2, 1, topic_configs={**week, "max.message.bytes": "2000000"})],
    )
    await _retention_becomes(kafka, {name: week})

    with caplog.at_level(logging.WARNING, logger="pavilion_core.kafka"):
        created = await ensure_topics(kafka, [name])  # what every worker runs at start-up

    assert created == [dlq_topic(name)]
    await _retention_becomes(kafka, {name: FOREVER, dlq_topic(name): FOREVER})
    [changed] = [r for r in caplog.records if r.getMessage() == "topic retention set to forever"]
    assert changed.topic == name and changed.was == week  # type: ignore[attr-defined]
    assert await _override(kafka, name, "max.message.bytes") == "2000000"  # left as it was


@pytest.fixture
def config(read_model_url: str, kafka: KafkaSettings, topic: str) -> Config:
    return Config(
        database_url=read_model_url,
        kafka=kafka,
        topics=(topic,),
        group_id=f"projector-{uuid.uuid4().hex[:8]}",
        http_host="127.0.0.1",
        http_port=0,
        graphiql=False,
        introspection=False,
        exhibitors_url="http://unused",
        outreach_url="http://unused",
        notifications_url="http://unused",
        limits=Limits(),
        cache=CacheSettings(),
        workers=1,
        news_file=None,
    )


async def test_a_rebuild_replays_the_whole_history_even_after_one_that_died(
    config: Config, read_pool: asyncpg.Pool, publisher: KafkaPublisher, topic: str
):
    await publisher.publish(topic, [submitted_record(c) for c in COMPANIES])
    # a rebuild that died after applying everything into generation 2, since dropped
    for tp, (_, end) in (await _ranges(config)).items():
        await read_pool.execute(
            "INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)"
            " VALUES ($1, $2, $3, $4)",
            f"{config.group_id}.rebuild.2",
            tp.topic,
            tp.partition,
            end,
        )

    assert await rebuild(config, lambda _: None) == 2

    assert await _names(read_pool) == sorted(COMPANIES)


async def test_a_rebuild_over_deleted_history_is_refused_and_changes_nothing(
    config: Config, read_pool: asyncpg.Pool, publisher: KafkaPublisher, topic: str
):
    await publisher.publish(topic, [submitted_record(c) for c in COMPANIES])
    assert await rebuild(config, lambda _: None) == 2
    serving, schemas = await _names(read_pool), await _generations(read_pool)
    [(tp, (_, end)), *_] = [(tp, r) for tp, r in (await _ranges(config)).items() if r[1]]
    await _admin(config.kafka, "delete_records", {tp: RecordsToDelete(end)})
    assert await lost_history(config.kafka, await partitions(config.kafka, [topic])) == {tp: end}

    with pytest.raises(HistoryLost) as refused:
        await rebuild(config, lambda _: None)

    assert f"{topic} partition {tp.partition}: {end} records gone" in str(refused.value)
    assert await _names(read_pool) == serving == sorted(COMPANIES)
    assert await _generations(read_pool) == schemas == (2, [1, 2])  # none made, none dropped
    shown = await asyncio.to_thread(
        CliRunner().invoke, app, ["rebuild-read-model"], env=_gateway_env(config)
    )
    assert shown.exit_code == 1 and f"{end} records gone" in shown.output, shown.output


async def test_a_new_consumer_group_over_deleted_history_refuses_to_start(
    config: Config, read_pool: asyncpg.Pool, publisher: KafkaPublisher, topic: str, sealer: Sealer
):
    await publisher.publish(topic, [submitted_record(c) for c in COMPANIES])
    [(tp, (_, end)), *_] = [(tp, r) for tp, r in (await _ranges(config)).items() if r[1]]
    await _admin(config.kafka, "delete_records", {tp: RecordsToDelete(end)})
    fresh = loop(read_pool, config.kafka, topic, publisher, f"{topic}.new-reactor", sealer)

    with pytest.raises(HistoryLost) as refused:
        await asyncio.wait_for(fresh.run(asyncio.Event()), 60)

    assert f"{topic} partition {tp.partition}: {end} records gone" in str(refused.value)
    assert not await read_pool.fetchval(
        "SELECT count(*) FROM consumer_offsets WHERE group_id = $1", f"{topic}.new-reactor"
    )


async def test_a_rebuild_that_could_not_apply_a_message_is_not_swapped_in(
    config: Config, read_pool: asyncpg.Pool, publisher: KafkaPublisher, topic: str
):
    """Before: the rebuild counted what it skipped and swapped the generation in anyway,
    a record missing from the read model for good."""
    await publisher.publish(topic, [submitted_record(c) for c in COMPANIES])
    assert await rebuild(config, lambda _: None) == 2
    broken = submitted_record("Broken Co")
    await publisher.publish(topic, [KafkaRecord(broken.key, b"{not json", broken.headers)])

    with pytest.raises(RebuildIncomplete) as refused:
        await rebuild(config, lambda _: None)

    assert f"{topic}: 1 (DecodeError" in str(refused.value)
    assert await _generations(read_pool) == (2, [2])  # generation 3 made, refused, dropped
    assert not await read_pool.fetchval(
        "SELECT count(*) FROM parked_messages WHERE group_id LIKE '%.rebuild.%'"
    )


@pytest.mark.parametrize("where", ["beyond the end", "below the start"])
async def test_a_consumer_whose_stored_offsets_are_outside_the_log_refuses_to_start(
    monkeypatch,
    config: Config,
    read_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    topic: str,
    where: str,
    sealer: Sealer,
):
    """Beyond the end: a topic recreated under a group that had applied more than it now
    holds. Below the start: records the group had not applied yet were deleted. Before,
    Kafka moved the group to the first record there is without a word (replaying, or
    skipping the gap)."""
    await publisher.publish(topic, [submitted_record(c) for c in COMPANIES])
    [(tp, (_, end)), *_] = [(tp, r) for tp, r in (await _ranges(config)).items() if r[1]]
    if where == "below the start":
        await _admin(config.kafka, "delete_records", {tp: RecordsToDelete(end)})
    at, group = (end + 40 if where == "beyond the end" else 0), f"{topic}.stale"
    await read_pool.execute(
        """INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
           VALUES ($1, $2, $3, $4)""",
        group,
        tp.topic,
        tp.partition,
        at,
    )
    stale = loop(read_pool, config.kafka, topic, publisher, group, sealer)

    with pytest.raises((OffsetsBeyondLog, HistoryLost)) as refused:
        await asyncio.wait_for(stale.run(asyncio.Event()), 60)

    monkeypatch.setenv("PAVILION_GATEWAY_DATABASE_URL", config.database_url)
    shown = (await stored_offsets_in_log(config.kafka))[group]  # what `pavilion status` says
    if where == "beyond the end":
        assert f"partition {tp.partition}: stored {at}, log ends at {end}" in str(refused.value)
        assert shown == f"{topic}[{tp.partition}] at {at}: beyond the log's end {end}"
    else:
        assert f"partition {tp.partition}: {end} records gone" in str(refused.value)
        assert shown == f"{topic}[{tp.partition}] at 0: records deleted up to {end}"
    assert not await read_pool.fetchval("SELECT count(*) FROM exhibitors")


def _gateway_env(config: Config) -> dict[str, str]:
    return {
        "PAVILION_GATEWAY_DATABASE_URL": config.database_url,
        "PAVILION_GATEWAY_TOPICS": ",".join(config.topics),
        "PAVILION_GATEWAY_GROUP": config.group_id,
        "COLUMNS": "300",
    }


async def _retention_becomes(kafka: KafkaSettings, expected: dict[str, dict[str, str]]) -> None:
    """The broker describes `expected` (a topic's creation, a config change reach it a
    moment after the call that made them returns)."""

    async def described() -> bool:
        return await retention(kafka, expected) == expected

    await eventually(described, what=f"retention {expected}")


async def _ranges(config: Config) -> dict[TopicPartition, tuple[int, int]]:
    return await offset_ranges(config.kafka, await partitions(config.kafka, config.topics))


async def _generations(pool: asyncpg.Pool) -> tuple[int, list[int]]:
    """(the generation queries read, every generation there is)."""
    async with pool.acquire() as conn:
        return await current_generation(conn), await generations(conn)


async def _names(pool: asyncpg.Pool) -> list[str]:
    rows = await pool.fetch("SELECT company_name FROM exhibitors ORDER BY company_name")
    return [r["company_name"] for r in rows]


async def _admin(kafka: KafkaSettings, call: str, *args: object) -> object:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        return await getattr(admin, call)(*args)
    finally:
        await admin.close()


async def _override(kafka: KafkaSettings, topic: str, key: str) -> str:
    [response] = await _admin(  # type: ignore[misc]
        kafka, "describe_configs", [ConfigResource(ConfigResourceType.TOPIC, topic, {key: None})]
    )
    [(_, _, _, _, [(_, value, *_)])] = response.resources
    return str(value)
