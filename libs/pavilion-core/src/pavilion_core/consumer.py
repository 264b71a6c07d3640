"""The consumer loop for projections and reactions.

Each batch is applied in one PostgreSQL transaction together with the offsets it
consumed, so a crash or a redelivery never applies a message twice (exactly-once
effect). A message that cannot be decoded or handled is sent to `<topic>.dlq` with
error headers and the loop moves on (such a batch is applied a second time, one
savepoint per message, so that only the failed message is left out); a transient
failure (database or network) rolls the batch back and retries it from the stored
offsets.
"""

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from pavilion_core.config import KafkaSettings
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent, KafkaRecord, from_kafka
from pavilion_core.eventstore import ConcurrencyError
from pavilion_core.kafka import Publisher, dlq_topic
from pavilion_core.logging import correlation_id, distinct
from pavilion_core.runner import wait_first

log = logging.getLogger(__name__)

Handler = Callable[[Connection, CloudEvent], Awaitable[None]]
BatchHandler = Callable[[Connection, list[CloudEvent]], Awaitable[None]]
Begin = Callable[[Connection], Awaitable[None]]
TRANSIENT = (
    ConcurrencyError,  # a reaction raced a command on a stream: decide again on fresh state
    KafkaError,  # the DLQ could not be written: retry rather than lose the message
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)


class ConsumerLoop:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        kafka: KafkaSettings,
        group_id: str,
        topics: Sequence[str],
        handler: Handler,
        dead_letters: Publisher,
        batch_size: int = 500,
        begin: Begin | None = None,
        batch_handler: BatchHandler | None = None,
    ) -> None:
        """`begin`, when given, runs first in each batch's transaction (e.g. to pick the
        tables the batch writes to). `batch_handler`, when given, takes a whole batch at
        once (the same effect as `handler` on each event, in fewer round trips); a batch
        it fails is applied again event by event with `handler`."""
        self.pool, self.kafka = pool, kafka
        self.group_id, self.topics = group_id, list(topics)
        self.handler, self.dead_letters = handler, dead_letters
        self.batch_size, self.begin = batch_size, begin
        self.batch_handler = batch_handler

    async def run(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.kafka.bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        consumer.subscribe(self.topics, listener=_SeekToStoredOffsets(self, consumer))
        await consumer.start()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
                if batch:
                    await self._apply_or_rewind(consumer, batch, stop)
        finally:
            await consumer.stop()

    async def _apply_or_rewind(
        self,
        consumer: AIOKafkaConsumer,
        batch: dict[TopicPartition, list[ConsumerRecord]],
        stop: asyncio.Event,
    ) -> None:
        try:
            await self.apply(batch)
        except TRANSIENT as exc:
            log.warning("batch failed, will retry", extra={"error": repr(exc)})
            await wait_first(stop, seconds=1.0)
            await self.seek_to_stored(consumer, consumer.assignment())
            return
        offsets = {tp: messages[-1].offset + 1 for tp, messages in batch.items()}
        try:  # only so that Kafka's own tooling shows the lag; PostgreSQL is the truth
            await consumer.commit(offsets)
        except Exception as exc:
            log.info("could not mirror offsets to Kafka", extra={"error": repr(exc)})

    async def apply(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        await self._apply(batch)
        messages = [m for ms in batch.values() for m in ms]
        log.info(
            "batch applied",
            extra={
                "group": self.group_id,
                "messages": len(messages),
                "correlation_ids": distinct(_correlation(m) for m in messages),
            },
        )

    async def _apply(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Optimistically without a savepoint per message (two round trips fewer per
        message); if any message fails, the transaction is rolled back and the batch is
        applied again one savepoint per message, dead-lettering the failures."""
        try:
            events = {id(m): from_kafka(m.value, m.headers) for ms in batch.values() for m in ms}
        except Exception:
            events = None
        if events is not None:
            try:
                await self._transaction(batch, events)
                return
            except TRANSIENT:
                raise
            except Exception as exc:
                log.info(
                    "a message failed; applying the batch one by one", extra={"error": repr(exc)}
                )
        await self._transaction(batch, None)

    async def _transaction(
        self,
        batch: dict[TopicPartition, list[ConsumerRecord]],
        events: dict[int, CloudEvent] | None,
    ) -> None:
        """The batch and its offsets in one transaction: the decoded `events` straight
        through the handler, or (None) each message on its own savepoint."""
        async with self.pool.acquire() as conn, conn.transaction():
            if self.begin is not None:
                await self.begin(conn)
            if events is not None and self.batch_handler is not None:
                await self.batch_handler(conn, list(events.values()))
            for tp, messages in batch.items():
                for message in messages:
                    if events is None:
                        await self._handle(conn, message)
                    elif self.batch_handler is None:
                        await self._run_handler(conn, events[id(message)])
                await conn.execute(
                    """INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
                       VALUES ($1, $2, $3, $4)
                       ON CONFLICT (group_id, topic, partition)
                       DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()""",
                    self.group_id,
                    tp.topic,
                    tp.partition,
                    messages[-1].offset + 1,
                )

    async def _run_handler(self, conn: Connection, event: CloudEvent) -> None:
        token = correlation_id.set(event.correlation_id)
        try:
            await self.handler(conn, event)
        finally:
            correlation_id.reset(token)

    async def _handle(self, conn: Connection, message: ConsumerRecord) -> None:
        try:
            event = from_kafka(message.value, message.headers)
            async with conn.transaction():  # a savepoint: a failure undoes only this one
                await self._run_handler(conn, event)
        except TRANSIENT:
            raise
        except Exception as exc:
            await self.dead_letter(message, exc)

    async def dead_letter(self, message: ConsumerRecord, error: Exception) -> None:
        headers = [(k, v) for k, v in message.headers if not k.startswith("dlq_")]
        headers += [
            (k, v.encode())
            for k, v in {
                "dlq_error_type": type(error).__name__,
                "dlq_error_message": str(error)[:2000],
                "dlq_error_trace": "".join(traceback.format_exception(error))[-4000:],
                "dlq_original_topic": message.topic,
                "dlq_original_partition": str(message.partition),
                "dlq_original_offset": str(message.offset),
                "dlq_consumer_group": self.group_id,
                "dlq_failed_at": datetime.now(UTC).isoformat(),
            }.items()
        ]
        record = KafkaRecord(key=message.key or b"", value=message.value or b"", headers=headers)
        await self.dead_letters.publish(dlq_topic(message.topic), [record])
        log.error(
            "message dead-lettered",
            extra={"topic": message.topic, "offset": message.offset, "error": repr(error)},
        )

    async def stored_offsets(self, partitions: set[TopicPartition]) -> dict[TopicPartition, int]:
        stored = await stored_offsets(self.pool, self.group_id)
        return {tp: off for tp, off in stored.items() if tp in partitions}

    async def seek_to_stored(
        self, consumer: AIOKafkaConsumer, partitions: set[TopicPartition]
    ) -> None:
        stored = await self.stored_offsets(partitions)
        unknown = [tp for tp in partitions if tp not in stored]
        for tp, offset in stored.items():
            consumer.seek(tp, offset)
        if unknown:
            await consumer.seek_to_beginning(*unknown)


async def stored_offsets(db: "Pool | Connection", group: str) -> dict[TopicPartition, int]:
    """The next offset to apply, per partition, that `group` committed with its effects."""
    rows = await db.fetch(
        "SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id = $1", group
    )
    return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}


def _correlation(message: ConsumerRecord) -> str | None:
    for key, value in message.headers or ():
        if key == "ce_correlationid":
            return bytes(value).decode(errors="replace")
    return None


class _SeekToStoredOffsets(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, loop: ConsumerLoop, consumer: AIOKafkaConsumer) -> None:
        self.loop, self.consumer = loop, consumer

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        pass

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self.loop.seek_to_stored(self.consumer, assigned)
