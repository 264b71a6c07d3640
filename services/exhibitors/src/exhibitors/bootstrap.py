"""The one place that builds pools, stores and producers for the exhibitors service."""

from dataclasses import dataclass

import asyncpg
from pavilion_core.eventstore import EventStore, EventStorePort
from pavilion_core.migrations import EVENT_STORE, migrate

from exhibitors.config import Config


@dataclass
class Services:
    config: Config
    pool: asyncpg.Pool
    store: EventStorePort

    async def close(self) -> None:
        await self.pool.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    """Connect and run migrations (idempotent, safe for several instances at once)."""
    pool = await asyncpg.create_pool(config.database_url, min_size=1, max_size=pool_size)
    async with pool.acquire() as conn:
        await migrate(conn, EVENT_STORE)
    return Services(config=config, pool=pool, store=EventStore(pool))
