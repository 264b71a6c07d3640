"""The one place that builds the gateway's pool and consumer."""

import asyncpg
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.migrations import CONSUMER, MigrationSet, migrate

from gateway.config import Config
from gateway.projector import project

READ_MODEL = MigrationSet("read_model", "gateway", "sql")


async def connect(config: Config, *, pool_size: int = 10) -> asyncpg.Pool:
    """Connect and run migrations (idempotent, safe for several instances at once)."""
    pool = await asyncpg.create_pool(config.database_url, min_size=1, max_size=pool_size)
    async with pool.acquire() as conn:
        await migrate(conn, CONSUMER, READ_MODEL)
    return pool


def projector(config: Config, pool: asyncpg.Pool, dead_letters: KafkaPublisher) -> ConsumerLoop:
    return ConsumerLoop(
        pool=pool,
        kafka=config.kafka,
        group_id=config.group_id,
        topics=config.topics,
        handler=project,
        dead_letters=dead_letters,
    )
