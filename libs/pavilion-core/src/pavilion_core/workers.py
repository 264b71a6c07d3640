"""The long-running workers every service runs the same way: its outbox relay, and a
consumer loop (reactions, projections) with its dead-letter producer."""

import asyncio
from collections.abc import Sequence

from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import ConsumerLoop, Handler
from pavilion_core.db import Pool
from pavilion_core.kafka import ensure_topics, started_producer
from pavilion_core.relay import OutboxRelay


async def relay(
    pool: Pool,
    kafka: KafkaSettings,
    *,
    service: str,
    topic: str,
    batch_size: int,
    stop: asyncio.Event,
) -> None:
    """Publish the service's events to its topic until `stop`."""
    await ensure_topics(kafka, [topic])
    async with started_producer(kafka, f"{service}-relay") as publisher:
        await OutboxRelay(pool, publisher, service=service, topic=topic, batch_size=batch_size).run(
            stop
        )


async def consume(
    pool: Pool,
    kafka: KafkaSettings,
    *,
    service: str,
    group_id: str,
    topics: Sequence[str],
    handler: Handler,
    stop: asyncio.Event,
) -> None:
    """Apply `topics` with `handler` until `stop`; poison goes to each topic's DLQ."""
    await ensure_topics(kafka, topics)
    async with started_producer(kafka, f"{service}-{group_id}-dlq") as dead_letters:
        await ConsumerLoop(
            pool=pool,
            kafka=kafka,
            group_id=group_id,
            topics=topics,
            handler=handler,
            dead_letters=dead_letters,
        ).run(stop)
