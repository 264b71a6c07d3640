"""The consumer loop for projections and reactions.

Each batch is applied in one PostgreSQL transaction together with the offsets it
consumed, so a crash or a redelivery never applies a message twice (exactly-once
effect). Messages are read through a TopicReader, each as the latest version of its
event (pavilion_core.upcasting). A message that cannot be decoded (nor one of a version
newer than the reader knows) or handled is parked (pavilion_core.parking)
with every later message of its record, in the same transaction, and the other records
flow on (such a batch is applied a second time, one savepoint per message, so that only
the failed records are left out); `<topic>.dlq` gets a notice of the failure. A redrive
an operator asks for is carried out here, by the group's own handler.

Instances of a group share the topics' partitions, and a rebalance may move a partition
while a batch of it is being applied: the stored offsets fence the instances. The loop
remembers, per partition it holds, the offset it expects to apply next (the stored one
it sought to, then the end of each batch it applied); a batch's transaction locks its
partitions' offset rows and goes on only if they still hold what this instance expects.
If another instance has moved one, the batch is rolled back unapplied. After such a
refusal, a rebalance or any failure, the loop seeks again to the stored offsets.

The next batch is fetched and decoded while one is being applied (at most one in
flight): its transaction starts once the one before has committed, and is fenced by
the offsets that one left; if that one was not applied, the next is dropped unapplied.

Messages are decoded, their personal values unsealed (pavilion_core.personal), before
the batch's transaction opens: the vault is another database. A value whose subject was
forgotten reaches the handler as null; a broken seal is the message's failure (parked);
the vault away is an outage like PostgreSQL's.

A transient failure (PostgreSQL or Kafka away, a conflict) rolls the batch back; the
loop waits a capped exponential backoff with jitter and tries again, however long the
outage lasts. A commit whose outcome was lost with the connection is settled by the
fence: if it did commit, the stored offsets are past what the loop expects.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial

import asyncpg
from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition

from pavilion_core.config import KafkaSettings
from pavilion_core.db import Connection
from pavilion_core.dead_letters import dead_letter
from pavilion_core.envelope import CloudEvent, DecodeError, Headers
from pavilion_core.eventstore import ConcurrencyError
from pavilion_core.fence import Offsets, OffsetsMoved, check_offsets, store_offsets, stored_offsets
from pavilion_core.kafka import Publisher, require_in_log
from pavilion_core.logging import correlation_id, describe, distinct
from pavilion_core.outages import Backoff, transient
from pavilion_core.parking import (
    Parked,
    park,
    parked_records,
    record_of,
    redrive,
    redrive_requested,
)
from pavilion_core.personal import Sealer
from pavilion_core.runner import wait_first
from pavilion_core.upcasting import TopicReader

log = logging.getLogger(__name__)

Handler = Callable[[Connection, CloudEvent], Awaitable[None]]
BatchHandler = Callable[[Connection, list[CloudEvent]], Awaitable[None]]
Begin = Callable[[Connection], Awaitable[None]]
Batch = dict[TopicPartition, list[ConsumerRecord]]
Poison = list[tuple[ConsumerRecord, Exception]]
Decoded = dict[int, CloudEvent | Exception]  # by id(message)


class Unsettled(Exception):
    """A message failed that had passed when the batch was probed for poison."""


# Besides the failures that may pass (pavilion_core.outages): a handler that fails only
# sometimes (apply the batch again), a reaction that raced a command on a stream (decide
# again on fresh state).
RETRIED: tuple[type[Exception], ...] = (Unsettled, ConcurrencyError)


def retried(error: BaseException) -> bool:
    """The batch is rolled back and tried again: not its messages' fault."""
    return transient(error) or isinstance(error, RETRIED)


def not_the_message(error: BaseException) -> bool:
    """Retried, or the batch read again (another instance applied it)."""
    return retried(error) or isinstance(error, OffsetsMoved)


MIRROR_SECONDS = 5.0
REDRIVE_CHECK_SECONDS = 1.0
REDRIVES_PER_CHECK = 20  # records: a long backlog of them does not hold up a fetch


class ConsumerLoop:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        kafka: KafkaSettings,
        group_id: str,
        topics: Sequence[str],
        handler: Handler,
        reader: TopicReader,
        dead_letters: Publisher | None,
        sealer: Sealer,
        batch_size: int = 500,
        begin: Begin | None = None,
        batch_handler: BatchHandler | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        """`reader` reads each message as the latest version of its event
        (pavilion_core.upcasting; one too new for it is parked), after `sealer` has
        decoded it (its personal values unsealed). `dead_letters` gets a notice of each
        message parked for its own failure (None: no notices, e.g. a rebuild's replay).
        `begin`, when given, runs first in each batch's transaction (e.g. to pick the
        tables the batch writes to). `batch_handler`, when given, takes a whole batch at
        once (the same effect as `handler` on each event, in fewer round trips); a batch
        it fails is applied again event by event with `handler`. `backoff` paces the
        retries after a transient failure."""
        self.pool, self.kafka = pool, kafka
        self.group_id, self.topics = group_id, list(topics)
        self.handler, self.dead_letters = handler, dead_letters
        self.reader, self.sealer = reader, sealer
        self.batch_size, self.begin = batch_size, begin
        self.batch_handler = batch_handler
        self.backoff, self.failures = backoff or Backoff(), 0
        self._expected: Offsets = {}  # per partition sought, the next offset to apply
        self._next_redrive_check = 0.0
        self._applying: tuple[Batch, asyncio.Task[None]] | None = None  # the batch in flight

    async def run(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            **self.kafka.client_options(),
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
                except Exception as exc:
                    if not retried(exc):
                        raise
                    await self._back_off(exc, stop)
                else:
                    self.failures = 0
        finally:
            try:  # the batch in flight commits or rolls back before the consumer goes
                await self._settle(consumer)
            except Exception as exc:
                log.warning("last batch not applied", extra={"error": describe(exc)})
            await consumer.stop()

    async def _back_off(self, error: BaseException, stop: asyncio.Event) -> None:
        self.failures += 1
        delay = self.backoff.delay(self.failures)
        log.warning(
            "consumer step failed; retrying",
            extra={"group": self.group_id, "error": describe(error), "retry_in_s": round(delay, 2)},
        )
        await wait_first(stop, seconds=delay)

    async def _step(self, consumer: AIOKafkaConsumer) -> None:
        """Seek what needs it, redrive what an operator asked for, fetch and decode the
        next batch while the one before is being applied (its transaction in flight),
        then start applying it (records of a partition revoked or reassigned meanwhile
        are dropped). Seeks and redrives wait for the batch in flight."""
        redrive = asyncio.get_running_loop().time() >= self._next_redrive_check
        if redrive or consumer.assignment() - self._expected.keys():
            await self._settle(consumer)
        await self.seek_to_stored(consumer)
        try:
            if redrive:
                await self._redrive_some()
        except OffsetsMoved:
            self.forget(list(self._expected))
            return
        in_flight = self._applying is not None
        fetched = await consumer.getmany(
            timeout_ms=0 if in_flight else 200, max_records=self.batch_size
        )
        batch = {tp: messages for tp, messages in fetched.items() if tp in self._expected}
        if not batch:
            await self._settle(consumer)
            return
        if jumped := {
            tp: at for tp, at in self._expected.items() if _starts_elsewhere(tp, at, batch)
        }:
            # Kafka moved the position (records deleted, a topic recreated): refuse that,
            # or else read again from the stored offsets
            self.forget(batch)
            await self._settle(consumer)
            self.forget(jumped)
            await require_in_log(self.kafka, jumped)
            log.warning("fetched from other offsets than expected", extra={"expected": str(jumped)})
            return
        try:
            decoded = await self._decoded(batch)
            settled = await self._settle(consumer)
        except Exception:
            self.forget(batch)  # fetched past what may not have been applied
            raise
        if not settled:
            self.forget(batch)
            return
        if batch := {tp: messages for tp, messages in batch.items() if tp in self._expected}:
            self._start(batch, decoded)

    def _start(self, batch: Batch, decoded: Decoded) -> None:
        """Start applying `batch`, and expect its end meanwhile (what the next batch is
        checked against; forgotten if this one is not applied)."""
        expected = {tp: self._expected[tp] for tp in batch}
        for tp, messages in batch.items():
            self._expected[tp] = messages[-1].offset + 1
        self._applying = (batch, asyncio.create_task(self._applied(batch, expected, decoded)))

    async def _settle(self, consumer: AIOKafkaConsumer) -> bool:
        """Wait for the batch in flight, if any: False if another instance had applied
        its partitions (nothing applied), its failure raised; either way its partitions
        are sought again."""
        if self._applying is None:
            return True
        batch, applying = self._applying
        self._applying = None
        try:
            await applying
        except OffsetsMoved as moved:
            log.warning(
                "another instance applied these partitions; seeking to the stored offsets",
                extra={"group": self.group_id, "error": str(moved)},
            )
            self.forget(batch)
            return False
        except Exception:
            self.forget(batch)  # whatever happened to it, read where it stands again
            raise
        await self._mirror(consumer, batch)
        return True

    def expect(self, offsets: Offsets) -> None:
        """Apply these partitions from these offsets on (what seeking to them does)."""
        self._expected.update(offsets)

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
            log.info("could not mirror offsets to Kafka", extra={"error": describe(exc)})

    async def apply(self, batch: Batch) -> None:
        """Apply `batch` if its partitions' stored offsets are still where this instance
        expects them (else raise OffsetsMoved, nothing applied), and expect its end."""
        expected = {tp: self._expected[tp] for tp in batch}
        await self._applied(batch, expected, await self._decoded(batch))
        for tp, messages in batch.items():
            if tp in self._expected:  # not revoked meanwhile
                self._expected[tp] = messages[-1].offset + 1

    async def _decoded(self, batch: Batch) -> Decoded:
        messages = [m for ms in batch.values() for m in ms]
        events = await self.sealer.decode_all([(m.value, m.headers) for m in messages])
        return {id(m): self._latest(e) for m, e in zip(messages, events, strict=True)}

    async def _applied(self, batch: Batch, expected: Offsets, decoded: Decoded) -> None:
        """Apply `batch`, fenced by the `expected` offsets; log it, tell what was parked."""
        failed = await self._apply(batch, expected, decoded)
        messages = [m for ms in batch.values() for m in ms]
        log.info(
            "batch applied",
            extra={
                "group": self.group_id,
                "messages": len(messages),
                "correlation_ids": distinct(_correlation(m) for m in messages),
            },
        )
        for parked in failed:
            await self._notice(parked)

    async def _apply(self, batch: Batch, expected: Offsets, decoded: Decoded) -> list[Parked]:
        """Optimistically without a savepoint per message (two round trips fewer per
        message); if any message fails, find which (a pass rolled back) and apply the
        others, parking the failed ones and their records. Returns those that failed."""
        undecodable = {i: e for i, e in decoded.items() if isinstance(e, Exception)}
        try:
            return await self._transaction(batch, expected, decoded, undecodable, batched=True)
        except Exception as exc:
            if not_the_message(exc):
                raise
            log.info("a message failed; finding which", extra={"error": describe(exc)})
        failed = await self._poison(batch, expected, decoded)
        try:
            return await self._transaction(batch, expected, decoded, failed, batched=False)
        except Exception as exc:
            if not_the_message(exc):
                raise
            raise Unsettled(repr(exc)) from exc  # it passed the probe: apply the batch again

    async def _transaction(
        self,
        batch: Batch,
        expected: Offsets,
        decoded: Decoded,
        failed: dict[int, Exception],
        batched: bool,
    ) -> list[Parked]:
        """In one transaction fenced by the offsets: the batch's messages applied, except
        those that `failed` and those of a record with messages parked, which are
        parked; and the offsets. Through the batch handler if `batched` and there is one.
        Returns the messages parked for their own failure."""
        messages = [m for ms in batch.values() for m in ms]
        async with self.pool.acquire() as conn, conn.transaction():
            if self.begin is not None:
                await self.begin(conn)
            await check_offsets(conn, self.group_id, expected)
            held = await parked_records(conn, self.group_id, messages)
            parked, events = [], []
            for message in messages:
                if id(message) in failed or record_of(message) in held:
                    parked.append(Parked(message, failed.get(id(message))))
                    held.add(record_of(message))
                else:
                    event = decoded[id(message)]
                    assert isinstance(event, CloudEvent)  # an undecodable one has failed
                    events.append(event)
            if batched and self.batch_handler is not None:
                await self.batch_handler(conn, events)
            else:
                for event in events:
                    await self._run_handler(conn, event)
            await park(conn, self.group_id, parked)
            ends = {tp: messages[-1].offset + 1 for tp, messages in batch.items()}
            await store_offsets(conn, self.group_id, ends)
        return [p for p in parked if p.error is not None]

    async def _poison(
        self, batch: Batch, expected: Offsets, decoded: Decoded
    ) -> dict[int, Exception]:
        """The messages of `batch` that fail to decode or apply (by `id`), each tried on
        its own savepoint after those before it, in a transaction then rolled back; a
        record's messages after a failed one, or parked already, are not tried."""
        failed: dict[int, Exception] = {}
        async with self.pool.acquire() as conn:
            probe = conn.transaction()
            await probe.start()
            try:
                if self.begin is not None:
                    await self.begin(conn)
                await check_offsets(conn, self.group_id, expected)
                messages = [m for ms in batch.values() for m in ms]
                held = await parked_records(conn, self.group_id, messages)
                for message in messages:
                    if record_of(message) in held:
                        continue
                    if (error := await self._fails(conn, decoded[id(message)])) is not None:
                        failed[id(message)] = error
                        held.add(record_of(message))
            finally:
                await probe.rollback()
        return failed

    async def _notice(self, parked: Parked) -> None:
        """Tell the dead-letter topic, once the message is safely parked (a notice for
        monitoring and integrators; the parked row is what a redrive applies)."""
        if self.dead_letters is None or parked.error is None:
            return
        try:
            await dead_letter(self.dead_letters, parked.message, parked.error, self.group_id)
        except Exception as exc:
            log.warning("dead-letter notice not sent", extra={"error": describe(exc)})

    async def _redrive_some(self) -> None:
        """Redrive some of what was asked for (the loop does, every
        REDRIVE_CHECK_SECONDS): a redrive that fails for a reason not its messages' is
        tried again at the next check, without holding up the records that flow
        meanwhile."""
        self._next_redrive_check = asyncio.get_running_loop().time() + REDRIVE_CHECK_SECONDS
        try:
            await self.redrive(REDRIVES_PER_CHECK)
        except OffsetsMoved:
            raise
        except Exception as exc:
            if not retried(exc):
                raise
            log.warning(
                "redrive failed; retrying at the next check", extra={"error": describe(exc)}
            )

    async def redrive(self, records: int | None = None) -> None:
        """Redrive the parked records an operator asked for (at most `records` of them),
        of the partitions this instance holds: each in a transaction fenced like a batch
        of its partition."""
        asked = await redrive_requested(self.pool, self.group_id)
        for topic, partition, key in asked[:records]:
            tp = TopicPartition(topic, partition)
            if tp not in self._expected:  # another instance holds it
                continue
            async with self.pool.acquire() as conn, conn.transaction():
                if self.begin is not None:
                    await self.begin(conn)
                await check_offsets(conn, self.group_id, {tp: self._expected[tp]})
                apply = partial(self._run_handler, conn)
                applied = await redrive(
                    conn, self.group_id, (topic, key), apply, self._decode, retried
                )
            log.info(
                "parked record redriven",
                extra={"group": self.group_id, "topic": topic, "applied": applied},
            )

    def _latest(self, event: CloudEvent | DecodeError) -> CloudEvent | DecodeError:
        """A decoded message as the latest version of its event, or why it is not."""
        if isinstance(event, DecodeError):
            return event
        try:
            return self.reader.read(event)
        except DecodeError as exc:
            return exc

    async def _decode(self, value: bytes | None, headers: Headers) -> CloudEvent:
        """One message unsealed, then read as the latest version of its event."""
        return self.reader.read(await self.sealer.decode(value, headers))

    async def _run_handler(self, conn: Connection, event: CloudEvent) -> None:
        token = correlation_id.set(event.correlation_id)
        try:
            await self.handler(conn, event)
        finally:
            correlation_id.reset(token)

    async def _fails(self, conn: Connection, event: CloudEvent | Exception) -> Exception | None:
        if isinstance(event, Exception):  # not decoded: failed before any handler
            return event
        try:
            async with conn.transaction():  # a savepoint: a failure undoes only this one
                await self._run_handler(conn, event)
        except Exception as exc:
            if retried(exc):
                raise
            return exc
        return None

    async def seek_to_stored(self, consumer: AIOKafkaConsumer) -> None:
        """Seek each partition assigned to this instance but not sought since it was
        assigned (or since a batch of it failed or was refused) to its stored offset,
        and expect that offset. Refuse (HistoryLost) to start where the topic's records
        were deleted, or (OffsetsBeyondLog) past the end of a recreated topic: Kafka
        would move to another offset without a word."""
        unsought = consumer.assignment() - self._expected.keys()
        if not unsought:
            return
        stored = await stored_offsets(self.pool, self.group_id)
        # still assigned after the read; none stored: from the beginning
        starts = {tp: stored.get(tp, 0) for tp in unsought & consumer.assignment()}
        await require_in_log(self.kafka, starts)
        self.expect(starts)
        for tp, offset in starts.items():
            consumer.seek(tp, offset)


def _starts_elsewhere(tp: TopicPartition, expected: int, batch: Batch) -> bool:
    return tp in batch and batch[tp][0].offset != expected


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
