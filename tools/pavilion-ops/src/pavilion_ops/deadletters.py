"""Dead-letter notices: what a DLQ topic holds — each message a consumer group could not
apply, as it came, with why and where. The message itself waits, parked with the later
messages of its record, in the group's database (pavilion_ops.parked redrives it)."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import partitions as topic_partitions


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    partition: int
    original: str
    error: str
    failed_at: str
    type: str


async def show(kafka: KafkaSettings, topic: str, limit: int = 20) -> list[DeadLetter]:
    """The first `limit` dead letters of `topic` (a .dlq topic)."""
    letters: list[DeadLetter] = []
    async with aclosing(_read_to_end(kafka, topic)) as messages:
        async for message in messages:
            letters.append(_letter(message))
            if len(letters) >= limit:
                break
    return letters


def _letter(message: ConsumerRecord) -> DeadLetter:
    headers = {k: v.decode(errors="replace") for k, v in message.headers}
    return DeadLetter(
        offset=message.offset,
        partition=message.partition,
        original=f"{headers.get('dlq_original_topic', '?')}"
        f"@{headers.get('dlq_original_offset', '?')}",
        error=headers.get("dlq_error_message") or headers.get("dlq_error_type", "?"),
        failed_at=headers.get("dlq_failed_at", ""),
        type=headers.get("ce_type", ""),
    )


async def _read_to_end(kafka: KafkaSettings, topic: str) -> AsyncGenerator[ConsumerRecord, None]:
    """The messages of `topic` from its beginning up to its end as it is now."""
    consumer = AIOKafkaConsumer(
        **kafka.client_options(), enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        partitions = await topic_partitions(kafka, [topic])
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        await consumer.seek_to_beginning(*partitions)
        at = {tp: await consumer.position(tp) for tp in partitions}
        while any(at[tp] < ends[tp] for tp in partitions):
            for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
                for message in messages:
                    if message.offset < ends[tp]:
                        yield message
                        at[tp] = message.offset + 1
    finally:
        await consumer.stop()
