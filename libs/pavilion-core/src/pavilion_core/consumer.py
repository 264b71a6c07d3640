"""The consumer loop for projections and reactions.

Each batch is applied in one PostgreSQL transaction together with the offsets it
consumed, so a crash or a redelivery never applies a message twice (exactly-once
effect). A message that cannot be decoded or handled is sent to `<topic>.dlq` with
error headers and the loop moves on (such a batch is applied a second time, one
savepoint per message, so that only the failed message is left out).

Instances of a group share the topics' partitions, and a rebalance may move a partition
while a batch of it is being applied: the stored offsets fence the instances. The loop
remembers, per partition it holds, the offset it expects to apply next (the stored one
it sought to, then the end of each batch it applied); a batch's transaction locks its
partitions' offset rows and goes on only if they still hold what this instance expects.
If another instance has moved one, the batch is rolled back unapplied. After such a
refusal, a rebalance or any failure, the loop seeks again to the stored offsets.

A transient failure (PostgreSQL or Kafka away, a conflict) rolls the batch back; the
loop waits a capped exponential backoff with jitter and tries again, however long the
outage lasts. A commit whose outcome was lost with the connection is settled by the
fence: if it did commit, the stored offsets are past what the loop expects.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition

from pavilion_core.config import KafkaSettings
from pavilion_core.db import Connection
from pavilion_core.dead_letters import dead_letter
from pavilion_core.envelope import CloudEvent, from_kafka
from pavilion_core.eventstore import ConcurrencyError
from pavilion_core.fence import Offsets, OffsetsMoved, check_offsets, store_offsets, stored_offsets
from pavilion_core.kafka import HistoryLost, Publisher, lost_history
from pavilion_core.logging import correlation_id, distinct
from pavilion_core.outages import TRANSIENT as FAILURES_THAT_PASS
from pavilion_core.outages import Backoff
from pavilion_core.runner import wait_first

log = logging.getLogger(__name__)

Handler = Callable[[Connection, CloudEvent], Awaitable[None]]
BatchHandler = Callable[[Connection, list[CloudEvent]], Awaitable[None]]
Begin = Callable[[Connection], Awaitable[None]]
Batch = dict[TopicPartition, list[ConsumerRecord]]
Poison = list[tuple[ConsumerRecord, Exception]]


class Unsettled(Exception):
    """A message failed that had passed when the batch was probed for poison."""


TRANSIENT: tuple[type[Exception], ...] = (
    Unsettled,  # a handler that fails only sometimes: apply the batch again
    *FAILURES_THAT_PASS,
    ConcurrencyError,  # a reaction raced a command on a stream: decide again on fresh state
)
# Failures that say nothing of the batch's messages: retried, or the batch read again.
NOT_THE_MESSAGE: tuple[type[Exception], ...] = (*TRANSIENT, OffsetsMoved)
MIRROR_SECONDS = 5.0


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
        backoff: Backoff | None = None,
    ) -> None:
        """`begin`, when given, runs first in each batch's transaction (e.g. to pick the
        tables the batch writes to). `batch_handler`, when given, takes a whole batch at
        once (the same effect as `handler` on each event, in fewer round trips); a batch
        it fails is applied again event by event with `handler`. `backoff` paces the
        retries after a transient failure."""
        self.pool, self.kafka = pool, kafka
        self.group_id, self.topics = group_id, list(topics)
        self.handler, self.dead_letters = handler, dead_letters
        self.batch_size, self.begin = batch_size, begin
        self.batch_handler = batch_handler
        self.backoff, self.failures = backoff or Backoff(), 0
        self._expected: Offsets = {}  # per partition sought, the next offset to apply

    async def run(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.kafka.bootstrap,
            group_id=self.group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # also where a partition with no stored offset starts
            # A SIGKILLed instance holds its partitions until its session times out: the
            # broker's minimum (aiokafka's default: 10 s) before a restart takes them.
            session_timeout_ms=6000,
            heartbeat_interval_ms=2000,
        )
        consumer.subscribe(self.topics, listener=_ForgetOnRebalance(self))
        await consumer.start()
        try:
            while not stop.is_set():
                try:
                    await self._step(consumer)
                except TRANSIENT as exc:
                    await self._back_off(exc, stop)
                else:
                    self.failures = 0
        finally:
            await consumer.stop()

    async def _back_off(self, error: BaseException, stop: asyncio.Event) -> None:
        self.failures += 1
        delay = self.backoff.delay(self.failures)
        log.warning(
            "consumer step failed; retrying",
            extra={"group": self.group_id, "error": repr(error), "retry_in_s": round(delay, 2)},
        )
        await wait_first(stop, seconds=delay)

    async def _step(self, consumer: AIOKafkaConsumer) -> None:
        """Seek what needs it, fetch, and apply what this instance still holds (records of
        a partition revoked or reassigned during the fetch are dropped)."""
        await self.seek_to_stored(consumer)
        fetched = await consumer.getmany(timeout_ms=200, max_records=self.batch_size)
        batch = {tp: messages for tp, messages in fetched.items() if tp in self._expected}
        if not batch:
            return
        try:
            await self.apply(batch)
        except OffsetsMoved as moved:
            log.warning(
                "another instance applied these partitions; seeking to the stored offsets",
                extra={"group": self.group_id, "error": str(moved)},
            )
            self.forget(batch)
            return
        except Exception:
            self.forget(batch)  # whatever happened to it, read where it stands again
            raise
        await self._mirror(consumer, batch)

    def forget(self, partitions: Iterable[TopicPartition]) -> None:
        """Seek these partitions to their stored offsets before applying more of them."""
        for tp in partitions:
            self._expected.pop(tp, None)

    async def _mirror(self, consumer: AIOKafkaConsumer, batch: Batch) -> None:
        offsets = {tp: messages[-1].offset + 1 for tp, messages in batch.items()}
        try:  # only so that Kafka's own tooling shows the lag; PostgreSQL is the truth
            async with asyncio.timeout(MIRROR_SECONDS):  # Kafka away: do not wait for it
                await consumer.commit(offsets)
        except Exception as exc:
            log.info("could not mirror offsets to Kafka", extra={"error": repr(exc)})

    async def apply(self, batch: Batch) -> None:
        """Apply `batch` if its partitions' stored offsets are still where this instance
        expects them (else raise OffsetsMoved, nothing applied), and expect its end."""
        expected = {tp: self._expected[tp] for tp in batch}
        await self._apply(batch, expected)
        for tp, messages in batch.items():
            if tp in self._expected:  # not revoked meanwhile
                self._expected[tp] = messages[-1].offset + 1
        messages = [m for ms in batch.values() for m in ms]
        log.info(
            "batch applied",
            extra={
                "group": self.group_id,
                "messages": len(messages),
                "correlation_ids": distinct(_correlation(m) for m in messages),
            },
        )

    async def _apply(self, batch: Batch, expected: Offsets) -> None:
        """Optimistically without a savepoint per message (two round trips fewer per
        message); if any message fails, find which (a pass rolled back), dead-letter
        them with no transaction open, and apply the others."""
        try:
            events = {id(m): from_kafka(m.value, m.headers) for ms in batch.values() for m in ms}
        except Exception:
            events = None
        if events is not None:
            try:
                return await self._transaction(batch, expected, events, batched=True)
            except NOT_THE_MESSAGE:
                raise
            except Exception as exc:
                log.info("a message failed; finding which", extra={"error": repr(exc)})
        failed = await self._poison(batch, expected)
        for message, error in failed:
            await dead_letter(self.dead_letters, message, error, self.group_id)
        healthy = {
            id(m): from_kafka(m.value, m.headers)
            for ms in batch.values()
            for m in ms
            if all(m is not f for f, _ in failed)
        }
        try:
            await self._transaction(batch, expected, healthy, batched=False)
        except NOT_THE_MESSAGE:
            raise
        except Exception as exc:  # it passed the probe: not poison, apply the batch again
            raise Unsettled(repr(exc)) from exc

    async def _transaction(
        self, batch: Batch, expected: Offsets, events: dict[int, CloudEvent], batched: bool
    ) -> None:
        """The batch's `events` (its messages not among them are left out) and its
        offsets in one transaction, fenced by the offsets; through the batch handler if
        `batched` and there is one."""
        async with self.pool.acquire() as conn, conn.transaction():
            if self.begin is not None:
                await self.begin(conn)
            await check_offsets(conn, self.group_id, expected)
            if batched and self.batch_handler is not None:
                await self.batch_handler(conn, list(events.values()))
            else:
                for message in (m for ms in batch.values() for m in ms):
                    if id(message) in events:
                        await self._run_handler(conn, events[id(message)])
            ends = {tp: messages[-1].offset + 1 for tp, messages in batch.items()}
            await store_offsets(conn, self.group_id, ends)

    async def _poison(self, batch: Batch, expected: Offsets) -> Poison:
        """The messages of `batch` that fail to decode or apply, each tried on its own
        savepoint after those before it, in a transaction then rolled back."""
        failed: Poison = []
        async with self.pool.acquire() as conn:
            probe = conn.transaction()
            await probe.start()
            try:
                if self.begin is not None:
                    await self.begin(conn)
                await check_offsets(conn, self.group_id, expected)
                for message in (m for ms in batch.values() for m in ms):
                    if (error := await self._fails(conn, message)) is not None:
                        failed.append((message, error))
            finally:
                await probe.rollback()
        return failed

    async def _run_handler(self, conn: Connection, event: CloudEvent) -> None:
        token = correlation_id.set(event.correlation_id)
        try:
            await self.handler(conn, event)
        finally:
            correlation_id.reset(token)

    async def _fails(self, conn: Connection, message: ConsumerRecord) -> Exception | None:
        try:
            event = from_kafka(message.value, message.headers)
            async with conn.transaction():  # a savepoint: a failure undoes only this one
                await self._run_handler(conn, event)
        except TRANSIENT:
            raise
        except Exception as exc:
            return exc
        return None

    async def seek_to_stored(self, consumer: AIOKafkaConsumer) -> None:
        """Seek each partition assigned to this instance but not sought since it was
        assigned (or since a batch of it failed or was refused) to its stored offset,
        and expect that offset. Refuse (HistoryLost) to start where the topic's records
        were deleted: Kafka would move on to the first one left without a word."""
        unsought = consumer.assignment() - self._expected.keys()
        if not unsought:
            return
        stored = await stored_offsets(self.pool, self.group_id)
        # still assigned after the read; none stored: from the beginning
        starts = {tp: stored.get(tp, 0) for tp in unsought & consumer.assignment()}
        if lost := await lost_history(self.kafka, starts, starts):
            raise HistoryLost(lost)
        for tp, offset in starts.items():
            self._expected[tp] = offset
            consumer.seek(tp, offset)


def _correlation(message: ConsumerRecord) -> str | None:
    for key, value in message.headers or ():
        if key == "ce_correlationid":
            return bytes(value).decode(errors="replace")
    return None


class _ForgetOnRebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """A rebalance makes the loop forget what it expects of the partitions involved; it
    seeks them to their stored offsets before its next fetch. No I/O here: aiokafka
    logs and swallows a listener's error, which would leave a partition where Kafka's
    mirror of the offsets says, possibly behind the stored offset."""

    def __init__(self, loop: ConsumerLoop) -> None:
        self.loop = loop

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self.loop.forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        self.loop.forget(assigned)  # whatever came before: every position read afresh
