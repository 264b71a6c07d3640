"""The figures of `pavilion status`: services' readiness, outbox backlog per service,
consumer lag per group (from the offsets committed to Kafka, which every consumer
mirrors after its PostgreSQL commit) and dead letters per DLQ topic."""

import asyncio
from dataclasses import dataclass

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from pavilion_core.config import KafkaSettings, database_url
from pavilion_core.kafka import offset_ranges
from pavilion_core.kafka import partitions as topic_partitions
from pavilion_core.relay import backlog, relay_name

from pavilion_ops import settings


@dataclass(frozen=True)
class Status:
    health: dict[str, str]
    backlog: dict[str, int | str]
    lag: dict[str, int]
    dead_letters: dict[str, int]


async def collect(kafka: KafkaSettings) -> Status:
    health, backlogs, (lag, dead) = await asyncio.gather(
        readiness(), outbox_backlogs(), kafka_figures(kafka)
    )
    return Status(health, backlogs, lag, dead)


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
    async def one(service: str) -> int | str:
        try:
            conn = await asyncpg.connect(database_url(service), timeout=5)
        except (OSError, asyncpg.PostgresError) as exc:
            return f"unreachable ({type(exc).__name__})"
        try:
            return await backlog(conn, relay_name(service, settings.topic(service)))
        except asyncpg.UndefinedTableError:
            return "no event store yet (not migrated)"
        finally:
            await conn.close()

    answers = await asyncio.gather(*(one(s) for s in settings.RELAYED))
    return dict(zip(settings.RELAYED, answers, strict=True))


async def kafka_figures(kafka: KafkaSettings) -> tuple[dict[str, int], dict[str, int]]:
    """(lag per consumer group, messages per DLQ topic)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
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
