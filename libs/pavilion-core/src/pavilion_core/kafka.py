"""Kafka clients, topics and the publisher port used by the relay and the DLQ."""

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import KafkaRecord

log = logging.getLogger(__name__)


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
        bootstrap_servers=settings.bootstrap,
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


async def ensure_topics(settings: KafkaSettings, topics: Iterable[str]) -> list[str]:
    """Create each topic and its DLQ twin if missing; returns the ones created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap)
    await admin.start()
    try:
        wanted = sorted({name for t in topics for name in (t, dlq_topic(t))})
        existing = set(await admin.list_topics())
        missing = [t for t in wanted if t not in existing]
        if missing:
            new = [NewTopic(t, settings.partitions, settings.replication) for t in missing]
            try:
                await admin.create_topics(new)
            except TopicAlreadyExistsError:
                pass  # another instance created them first
            log.info("topics created", extra={"topics": missing})
        return missing
    finally:
        await admin.close()


async def partitions(settings: KafkaSettings, topics: Iterable[str]) -> list[TopicPartition]:
    """Every partition of `topics` (none for a topic that does not exist)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t["error_code"] == 0
        for p in t["partitions"]
    ]


async def offset_ranges(
    settings: KafkaSettings, wanted: Iterable[TopicPartition]
) -> dict[TopicPartition, tuple[int, int]]:
    """The (first, end) offsets of each partition: its size is end - first."""
    tps = list(wanted)
    if not tps:
        return {}
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(tps)  # so that the consumer fetches these topics' metadata
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
    finally:
        await consumer.stop()
    return {tp: (starts[tp], ends[tp]) for tp in tps}
