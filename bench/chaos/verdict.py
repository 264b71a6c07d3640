"""What became of the accepted commands: when each showed in the gateway's read model
(sampled while the load runs), and at the end whether each is in the read model, on the
topic and (with the notifications worker) in the mailbox exactly once."""

import asyncio
import contextlib
import time
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.utils import parseaddr
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition
from gateway.readmodel import read_current
from pavilion_core.envelope import DecodeError, from_kafka

from bench.chaos.load import Tally, contact
from bench.chaos.stack import Stack

SUBMITTED = "ApplicationSubmitted"


@dataclass
class Watch:
    """When each accepted application first showed in the read model."""

    seen: dict[str, float] = field(default_factory=dict)

    def unseen(self, tally: Tally) -> list[str]:
        return [i for i in tally.accepted if i not in self.seen]

    def longest_lag(self, tally: Tally) -> float:
        lags = [self.seen[i] - at for i, (_, at) in tally.accepted.items() if i in self.seen]
        return max(lags, default=0.0)

    async def sample(self, stack: Stack, tally: Tally) -> None:
        """Once: note the accepted ids that are now in the read model."""
        ids = self.unseen(tally)
        if not ids:
            return
        # (a server going away mid-query can leave asyncpg's protocol in a state it
        # reports as InternalClientError: one missed sample, as for the others)
        with contextlib.suppress(
            OSError, asyncpg.PostgresError, asyncpg.InterfaceError,
            asyncpg.InternalClientError, TimeoutError,
        ):  # fmt: skip
            connection = await _read_model(stack, seconds=2)
            try:
                rows = await connection.fetch(
                    "SELECT id::text FROM exhibitors WHERE id = any($1::uuid[])", ids, timeout=5
                )
            finally:
                await connection.close()
            now = time.monotonic()
            for row in rows:
                self.seen.setdefault(row["id"], now)

    async def follow(self, stack: Stack, tally: Tally, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.sample(stack, tally)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)  # the sampling interval

    async def settle(self, stack: Stack, tally: Tally, within: float) -> None:
        """Sample until every accepted id has shown, for at most `within` seconds."""
        deadline = time.monotonic() + within
        while self.unseen(tally) and time.monotonic() < deadline:
            await self.sample(stack, tally)
            await asyncio.sleep(0.5)  # polling, with the deadline above


async def _read_model(stack: Stack, seconds: float) -> asyncpg.Connection:
    """A connection to the gateway's current read-model generation."""
    connection = await asyncpg.connect(
        f"{stack.pg_url}/{stack.database('gateway')}", timeout=seconds
    )
    try:
        await read_current(connection)
    except BaseException:
        await connection.close()
        raise
    return connection


async def read_model_duplicates(stack: Stack, prefix: str, ids: list[str]) -> int:
    """Applications made twice from one command (its company name on two ids) and events
    applied twice (two timeline rows at one stream version)."""
    connection = await _read_model(stack, seconds=10)
    try:
        twice: int = await connection.fetchval(
            "SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM exhibitors"
            " WHERE company_name LIKE $1 GROUP BY company_name) c",
            f"Chaos {prefix}-%",
        )
        applied: int = await connection.fetchval(
            "SELECT coalesce(sum(n - 1), 0)::int FROM (SELECT count(*) AS n FROM timeline"
            " WHERE subject_id = any($1::text[]) GROUP BY subject_id, stream_version) t",
            ids,
        )
    finally:
        await connection.close()
    return twice + applied


async def in_event_store(stack: Stack, ids: list[str]) -> set[str]:
    """The accepted applications whose submission is in the exhibitors event store (what
    a restore must have kept)."""
    connection = await asyncpg.connect(f"{stack.pg_url}/{stack.database('exhibitors')}")
    try:
        rows = await connection.fetch(
            "SELECT DISTINCT stream_id FROM events WHERE type = $1 AND stream_id = any($2)",
            SUBMITTED,
            ids,
        )
    finally:
        await connection.close()
    return {r["stream_id"] for r in rows}


@dataclass
class TopicCount:
    submitted: Counter[str]  # subject: distinct ApplicationSubmitted event ids
    redelivered: int  # records of an event id seen before (at-least-once publishing)


async def topic_count(stack: Stack, ids: set[str]) -> TopicCount:
    """Every record of the exhibitors topic, from the start to the current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=stack.bootstrap, enable_auto_commit=False)
    await consumer.start()
    events: dict[str, str] = {}
    redelivered = 0
    try:
        partitions = await _partitions(consumer, stack.topic("exhibitors"))
        assigned = [TopicPartition(stack.topic("exhibitors"), p) for p in partitions]
        consumer.assign(assigned)
        await consumer.seek_to_beginning(*assigned)
        ends = await consumer.end_offsets(assigned)
        for tp in assigned:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=2000)
                for record in batch.get(tp, []):
                    try:
                        event = from_kafka(record.value, record.headers)
                    except DecodeError:
                        continue
                    if event.subject in ids and event.event_type == SUBMITTED:
                        redelivered += event.id in events
                        events[event.id] = event.subject
    finally:
        await consumer.stop()
    return TopicCount(Counter(events.values()), redelivered)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The topic's partitions, once the consumer's metadata has them (30 s at most)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        await consumer._client.force_metadata_update()
        partitions: set[int] | None = consumer.partitions_for_topic(topic)
        if partitions:
            return partitions
        await asyncio.sleep(0.5)  # polling, with the deadline above
    raise RuntimeError(f"no metadata for {topic}")


def mailbox(mail: Path) -> tuple[Counter[str], Counter[str]]:
    """Distinct emails (Message-IDs) per recipient in the SMTP catcher's directory, and
    how many files were another copy of one already there: a message a crashed sender
    had in flight is sent again with its Message-ID, recognisably the same email."""
    counts: Counter[str] = Counter()
    copies: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for path in mail.glob("*.eml"):
        headers = BytesParser().parsebytes(path.read_bytes(), headersonly=True)
        email = (parseaddr(headers.get("To", ""))[1].lower(), headers.get("Message-ID", ""))
        (copies if email in seen else counts)[email[0]] += 1
        seen.add(email)
    return counts, copies


async def emails_settle(
    stack: Stack, tally: Tally, stalled: float, cap: float
) -> tuple[Counter[str], Counter[str], float]:
    """The mailbox once every accepted application's contact has an email, or once no
    new email came for `stalled` seconds (a backlog still draining is late, not lost),
    or after `cap`; and how long that took."""
    wanted = {contact(key) for key, _ in tally.accepted.values()}
    started = time.monotonic()
    last, progress = -1, started
    while True:
        counts, copies = await asyncio.to_thread(mailbox, stack.mail)
        now, total = time.monotonic(), sum(counts.values()) + sum(copies.values())
        if total != last:
            last, progress = total, now
        if wanted <= counts.keys() or now - progress > stalled or now - started > cap:
            return counts, copies, now - started
        await asyncio.sleep(1)  # polling, with the deadlines above
