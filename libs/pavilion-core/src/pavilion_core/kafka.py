"""Kafka clients, topics and the publisher port used by the relay and the DLQ.

The topics are the record every consumer replays from offset 0 (the gateway's read
model, a new reactor, an integrator's backfill), so they are kept forever and a replay
refuses to start on a topic whose first records are gone (`lost_history`)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError, for_code

from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import KafkaRecord

log = logging.getLogger(__name__)

# Every topic and DLQ keeps its records forever, by time and by size. Set on the topic
# itself, not left to the broker's default (7 days), so no broker setting can shorten it.
FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}
_TOPIC_OVERRIDE = 1  # DescribeConfigs' config_source DYNAMIC_TOPIC_CONFIG


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


class Publisher(Protocol):
    async def publish(self, topic: str, records: Sequence[KafkaRecord]) -> None:
        """Send every record; return only when the broker has acknowledged them all."""


class KafkaPublisher:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer

    async def publish(self, topic: str, records: Sequence[KafkaRecord]) -> None:
        acks = [
            await self.producer.send(topic, value=r.value, key=r.key, headers=r.headers)
            for r in records
        ]
        await asyncio.gather(*acks)


def new_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """An idempotent producer: retries never duplicate or reorder within a partition."""
    return AIOKafkaProducer(
        **settings.client_options(),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=2,
        max_batch_size=256 * 1024,
    )


@asynccontextmanager
async def started_producer(
    settings: KafkaSettings, client_id: str
) -> AsyncIterator[KafkaPublisher]:
    producer = new_producer(settings, client_id)
    await producer.start()
    try:
        yield KafkaPublisher(producer)
    finally:
        await producer.stop()


@asynccontextmanager
async def admin_client(settings: KafkaSettings) -> AsyncIterator[AIOKafkaAdminClient]:
    admin = AIOKafkaAdminClient(**settings.client_options())
    await admin.start()
    try:
        yield admin
    finally:
        await admin.close()


async def ensure_topics(settings: KafkaSettings, topics: Iterable[str]) -> list[str]:
    """Create each topic and its DLQ twin if missing, kept forever (FOREVER); set that
    retention again on those that exist with another. Returns the topics created."""
    async with admin_client(settings) as admin:
        wanted = sorted({name for t in topics for name in (t, dlq_topic(t))})
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            await _create(admin, settings, missing)
        await _keep_forever(admin, [t for t in wanted if t in existing])
        return missing


async def _create(admin: AIOKafkaAdminClient, settings: KafkaSettings, names: list[str]) -> None:
    new = [
        NewTopic(t, settings.partitions, settings.replication, topic_configs=FOREVER) for t in names
    ]
    response = await admin.create_topics(new)
    for name, code, message in response.topic_errors:
        if code and for_code(code) is not TopicAlreadyExistsError:  # else: another instance won
            raise for_code(code)(f"topic {name}: {message}")
    log.info("topics created", extra={"topics": names, "configs": FOREVER})


async def _keep_forever(admin: AIOKafkaAdminClient, names: list[str]) -> None:
    """AlterConfigs replaces all of a topic's own settings, so those it has besides
    retention (remote.storage.enable, say) are sent again as they are."""
    for name, (_, overrides) in (await _configs(admin, names)).items():
        changed = {k: v for k, v in FOREVER.items() if overrides.get(k) != v}
        if not changed:
            continue
        resource = ConfigResource(ConfigResourceType.TOPIC, name, {**overrides, **changed})
        [response] = await admin.alter_configs([resource])
        _raise_errors(response.resources)
        was = {k: overrides.get(k, "broker default") for k in changed}
        log.warning(
            "topic retention set to forever", extra={"topic": name, "was": was, "now": changed}
        )


async def _configs(
    admin: AIOKafkaAdminClient, names: list[str]
) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Per topic: (every setting in effect, the settings made on the topic itself). A
    topic the broker does not know yet (just created elsewhere) is left out."""
    if not names:
        return {}
    resources = [ConfigResource(ConfigResourceType.TOPIC, n) for n in names]
    found: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for response in await admin.describe_configs(resources):
        known = [r for r in response.resources if r[0] != UnknownTopicOrPartitionError.errno]
        _raise_errors(known)
        for _, _, _, name, entries in known:
            found[name] = (
                {e[0]: e[1] for e in entries},
                {e[0]: e[1] for e in entries if e[3] == _TOPIC_OVERRIDE},
            )
    return found


def _raise_errors(resources: list[Any]) -> None:
    for code, message, _, name, *_ in resources:
        if code:
            raise for_code(code)(f"topic {name}: {message}")


async def retention(settings: KafkaSettings, topics: Iterable[str]) -> dict[str, dict[str, str]]:
    """The retention.ms and retention.bytes in effect on each topic (that the broker knows)."""
    async with admin_client(settings) as admin:
        configs = await _configs(admin, list(topics))
    return {name: {k: effective[k] for k in FOREVER} for name, (effective, _) in configs.items()}


async def partitions(settings: KafkaSettings, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of `topics` (none for a topic that does not exist)."""
    async with admin_client(settings) as admin:
        described = await admin.describe_topics(list(topics))
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t["error_code"] == 0
        for p in t["partitions"]
    ]


@asynccontextmanager
async def _assigned(
    tps: list[TopicPartition], settings: KafkaSettings
) -> AsyncIterator[AIOKafkaConsumer]:
    consumer = AIOKafkaConsumer(**settings.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(tps)  # so that the consumer fetches these topics' metadata
        yield consumer
    finally:
        await consumer.stop()


async def offset_ranges(
    settings: KafkaSettings, wanted: Iterable[TopicPartition]
) -> dict[TopicPartition, tuple[int, int]]:
    """The (first, end) offsets of each partition: its size is end - first."""
    tps = list(wanted)
    if not tps:
        return {}
    async with _assigned(tps, settings) as consumer:
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
    return {tp: (starts[tp], ends[tp]) for tp in tps}


async def first_timestamps(
    settings: KafkaSettings, wanted: Iterable[TopicPartition]
) -> dict[TopicPartition, int | None]:
    """The timestamp (ms) of each partition's first record still held (None: empty)."""
    tps = list(wanted)
    if not tps:
        return {}
    async with _assigned(tps, settings) as consumer:
        found = await consumer.offsets_for_times({tp: 0 for tp in tps})
    return {tp: found[tp].timestamp if found.get(tp) else None for tp in tps}


async def lost_history(
    settings: KafkaSettings,
    wanted: Iterable[TopicPartition],
    starting_at: Mapping[TopicPartition, int] | None = None,
) -> dict[TopicPartition, int]:
    """The partitions whose records a replay starting at `starting_at` (default: offset 0)
    would miss because they were deleted (by retention or delete_records), with how many.
    Kafka moves such a consumer on to the first record left without a word."""
    start = starting_at or {}
    ranges = await offset_ranges(settings, wanted)
    return {
        tp: first - start.get(tp, 0)
        for tp, (first, _) in ranges.items()
        if first > start.get(tp, 0)
    }


class HistoryLost(Exception):
    """A replay was refused: records it would need were deleted from the topics."""

    def __init__(self, lost: dict[TopicPartition, int]) -> None:
        self.lost = lost
        gone = "; ".join(
            f"{tp.topic} partition {tp.partition}: {n} records gone"
            for tp, n in sorted(lost.items())
        )
        super().__init__(f"refused: the topics' history was deleted, a replay would miss {gone}")


class OffsetsBeyondLog(Exception):
    """Stored offsets past the end of their partitions: the topic was recreated or
    truncated since. Kafka would move such a consumer back to the first record without a
    word, applying again, or as new, whatever the log now holds."""

    def __init__(self, beyond: dict[TopicPartition, tuple[int, int]]) -> None:
        self.beyond = beyond
        where = "; ".join(
            f"{tp.topic} partition {tp.partition}: stored {at}, log ends at {end}"
            for tp, (at, end) in sorted(beyond.items())
        )
        super().__init__(f"refused: stored offsets beyond the end of the log ({where})")


async def require_in_log(settings: KafkaSettings, starts: Mapping[TopicPartition, int]) -> None:
    """Raise HistoryLost if a partition's records from `starts` on were deleted, or
    OffsetsBeyondLog if `starts` is past a partition's end."""
    ranges = await offset_ranges(settings, starts)
    if lost := {tp: first - starts[tp] for tp, (first, _) in ranges.items() if first > starts[tp]}:
        raise HistoryLost(lost)
    if beyond := {tp: (starts[tp], end) for tp, (_, end) in ranges.items() if starts[tp] > end}:
        raise OffsetsBeyondLog(beyond)


async def require_history(settings: KafkaSettings, topics: Iterable[str]) -> None:
    """Raise HistoryLost unless every partition of `topics` still starts at offset 0."""
    lost = await lost_history(settings, await partitions(settings, topics))
    if lost:
        raise HistoryLost(lost)
