"""The one place that builds pools, stores and handlers for the outreach service."""

from dataclasses import dataclass

from pavilion_core.db import CONSUMER, EVENT_STORE, MigrationSet, Pool, open_pool
from pavilion_core.pgstore import EventStore

from outreach.config import Config
from outreach.handlers import Handlers

SCHEDULE = MigrationSet("schedule", "outreach", "sql")


@dataclass
class Services:
    config: Config
    pool: Pool
    handlers: Handlers

    async def close(self) -> None:
        await self.pool.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(config.database_url, EVENT_STORE, CONSUMER, SCHEDULE, size=pool_size)
    store = EventStore(pool, config.idempotency_retention)
    return Services(config, pool, Handlers(store, config.clock))
