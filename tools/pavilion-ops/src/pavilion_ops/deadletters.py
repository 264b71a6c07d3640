"""Dead letters: what a DLQ topic holds, and sending them back to their topic once the
fault is fixed. A redrive commits its position in the DLQ (consumer group
`pavilion.ops.redrive`), so no message is sent back twice."""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import KafkaRecord
from pavilion_core.kafka import partitions as topic_partitions
from pavilion_core.kafka import started_producer

REDRIVE_GROUP = "pavilion.ops.redrive"


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
    async with aclosing(_read_to_end(kafka, topic, group=None)) as messages:
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
        error=f"{headers.get('dlq_error_type', '?')}: {headers.get('dlq_error_message', '')}",
        failed_at=headers.get("dlq_failed_at", ""),
        type=headers.get("ce_type", ""),
    )


async def redrive(kafka: KafkaSettings, topic: str) -> int:
    """Send what `topic` (a .dlq topic) holds and was not sent back yet to the topics the
    messages failed on, without the dlq_ headers; returns how many."""
    sent = 0
    async with started_producer(kafka, "pavilion-ops-redrive") as producer:
        async for message in _read_to_end(kafka, topic, group=REDRIVE_GROUP):
            headers = [(k, v) for k, v in message.headers if not k.startswith("dlq_")]
            original = dict(message.headers).get("dlq_original_topic", b"").decode()
            record = KafkaRecord(message.key or b"", message.value or b"", headers)
            await producer.publish(original or topic.removesuffix(".dlq"), [record])
            sent += 1
    return sent


async def _read_to_end(
    kafka: KafkaSettings, topic: str, group: str | None
) -> AsyncGenerator[ConsumerRecord, None]:
    """The messages of `topic` up to its end as it is now; with a group, from its committed
    position, committing what the caller has taken once it asks for more."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        partitions = await topic_partitions(kafka, [topic])
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        if group is None:
            await consumer.seek_to_beginning(*partitions)
        at = {tp: await consumer.position(tp) for tp in partitions}
        while any(at[tp] < ends[tp] for tp in partitions):
            taken: dict[TopicPartition, int] = {}
            for tp, messages in (await consumer.getmany(timeout_ms=500)).items():
                for message in messages:
                    if message.offset < ends[tp]:
                        yield message
                        taken[tp] = at[tp] = message.offset + 1
            if group is not None and taken:
                await consumer.commit(taken)
    finally:
        await consumer.stop()
