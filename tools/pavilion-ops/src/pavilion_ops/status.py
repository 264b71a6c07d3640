"""The figures of `pavilion status`: services' readiness, outbox backlog per service and
whether a long transaction holds its publishing back, consumer lag per group (from the
offsets committed to Kafka, which every consumer mirrors after its PostgreSQL commit),
dead letters per DLQ topic, and how far back each topic reaches (a rebuild or a new
consumer needs it to reach back to offset 0)."""

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

import asyncpg
import httpx
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import dlq_topic, first_timestamps, offset_ranges, retention
from pavilion_core.kafka import partitions as topic_partitions
from pavilion_core.relay import backlog, held_back, relay_name

from pavilion_ops import parked as parked_messages
from pavilion_ops import settings
from pavilion_ops.databases import each

T = TypeVar("T")


@dataclass(frozen=True)
class Status:
    health: dict[str, str]
    backlog: dict[str, int | str]
    publishing: dict[str, str]
    lag: dict[str, int]
    dead_letters: dict[str, int]
    reach: "dict[str, Reach]"
    parked: dict[str, str]
    offsets: dict[str, str]


@dataclass(frozen=True)
class Reach:
    """How far back a topic reaches: `first_offsets` per partition (all 0 while the
    history is complete) and the time of the oldest record held (None: empty)."""

    retention_ms: int  # -1: forever
    retention_bytes: int  # per partition; -1: no limit
    first_offsets: dict[int, int]
    oldest: datetime | None

    @property
    def complete(self) -> bool:
        return not any(self.first_offsets.values())


async def collect(kafka: KafkaSettings) -> Status:
    health, backlogs, held, (lag, dead), reach = await asyncio.gather(
        readiness(), outbox_backlogs(), publishing(), kafka_figures(kafka), topic_reach(kafka)
    )
    parked, offsets = await asyncio.gather(parked_figures(), stored_offsets_in_log(kafka))
    return Status(health, backlogs, held, lag, dead, reach, parked, offsets)


async def parked_figures() -> dict[str, str]:
    """Per consumer group with messages parked: how many records, and the first error."""
    return {
        p.group: f"{p.records} records held back ({p.messages} messages): {p.oldest_error}"
        for p in await parked_messages.parked()
    }


async def stored_offsets_in_log(kafka: KafkaSettings) -> dict[str, str]:
    """Per consumer group (of the services' databases): whether its stored offsets lie
    within the topics' logs. One below a partition's first offset would skip deleted
    records, one beyond its end would replay a recreated topic: the consumer refuses to
    start, and this says why."""

    async def rows(conn: asyncpg.Connection, _: str) -> list[asyncpg.Record]:
        return await conn.fetch(
            "SELECT group_id, topic, partition, next_offset FROM consumer_offsets"
        )

    found = (await each(settings.CONSUMING, rows)).values()
    stored = [r for rows_of in found if not isinstance(rows_of, str) for r in rows_of]
    existing = set(await topic_partitions(kafka, {r["topic"] for r in stored}))
    ranges = await offset_ranges(kafka, existing)
    verdicts: dict[str, list[str]] = {}
    for r in stored:
        tp, at = TopicPartition(r["topic"], r["partition"]), r["next_offset"]
        problems = verdicts.setdefault(r["group_id"], [])
        where = f"{tp.topic}[{tp.partition}] at {at}"
        if tp not in ranges:
            problems.append(f"{tp.topic} is gone")
        elif at < ranges[tp][0]:
            problems.append(f"{where}: records deleted up to {ranges[tp][0]}")
        elif at > ranges[tp][1]:
            problems.append(f"{where}: beyond the log's end {ranges[tp][1]}")
    return {group: "; ".join(problems) or "within the logs" for group, problems in verdicts.items()}


async def readiness() -> dict[str, str]:
    async with httpx.AsyncClient(timeout=3) as http:

        async def one(service: str) -> str:
            try:
                response = await http.get(f"{settings.url(service)}/readyz")
            except httpx.TransportError:
                return "unreachable"
            return "ready" if response.status_code == 200 else f"not ready ({response.status_code})"

        answers = await asyncio.gather(*(one(s) for s in settings.PORTS))
    return dict(zip(settings.PORTS, answers, strict=True))


async def outbox_backlogs() -> dict[str, int | str]:
    """Events stored but not yet relayed, per service."""

    async def one(conn: asyncpg.Connection, service: str) -> int:
        return await backlog(conn, relay_name(service, settings.topic(service)))

    return await each(settings.RELAYED, one)


async def publishing() -> dict[str, str]:
    """Whether each service's relay may publish all it has, or a transaction still open
    in its database holds events back (they must go out after whatever it commits)."""

    async def one(conn: asyncpg.Connection, _: str) -> str:
        holder = await held_back(conn)
        if holder is None:
            return "flowing"
        open_for = "an unknown time" if holder.seconds is None else f"{holder.seconds:.0f} s"
        return f"publishing held back by transaction {holder.xid} for {open_for}"

    return {s: str(figure) for s, figure in (await each(settings.RELAYED, one)).items()}


async def kafka_figures(kafka: KafkaSettings) -> tuple[dict[str, int], dict[str, int]]:
    """(lag per consumer group, messages per DLQ topic)."""
    admin = AIOKafkaAdminClient(**kafka.client_options())
    await admin.start()
    try:
        groups = [group for group, _ in await admin.list_consumer_groups()]
        offsets = await asyncio.gather(*(admin.list_consumer_group_offsets(g) for g in groups))
        committed = dict(zip(groups, offsets, strict=True))
        dlqs = sorted(t for t in await admin.list_topics() if t.endswith(".dlq"))
    finally:
        await admin.close()
    partitions = {tp for offsets in committed.values() for tp in offsets}
    partitions |= set(await topic_partitions(kafka, dlqs))
    ranges = await offset_ranges(kafka, partitions)
    lag = {
        group: sum(
            max(0, ranges[tp][1] - meta.offset) for tp, meta in offsets.items() if tp in ranges
        )
        for group, offsets in committed.items()
    }
    dead = {
        t: sum(end - first for tp, (first, end) in ranges.items() if tp.topic == t) for t in dlqs
    }
    return lag, dead


async def topic_reach(kafka: KafkaSettings) -> dict[str, Reach]:
    """The reach of the services' topics and their DLQs (those that exist)."""
    names = [n for s in settings.RELAYED for n in (settings.topic(s), dlq_topic(settings.topic(s)))]
    tps = await topic_partitions(kafka, names)
    kept, ranges, times = await asyncio.gather(
        retention(kafka, {tp.topic for tp in tps}),
        offset_ranges(kafka, tps),
        first_timestamps(kafka, tps),
    )
    return {
        name: Reach(
            retention_ms=int(kept[name]["retention.ms"]),
            retention_bytes=int(kept[name]["retention.bytes"]),
            first_offsets={tp.partition: ranges[tp][0] for tp in tps if tp.topic == name},
            oldest=_oldest(ms for tp, ms in times.items() if tp.topic == name),
        )
        for name in names
        if name in kept
    }


def _oldest(timestamps: Iterable[int | None]) -> datetime | None:
    held = [ms for ms in timestamps if ms is not None]
    return datetime.fromtimestamp(min(held) / 1000, UTC) if held else None
