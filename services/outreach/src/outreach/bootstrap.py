"""The one place that builds pools, stores and handlers for the outreach service."""

from dataclasses import dataclass

from pavilion_core.db import CONSUMER, EVENT_STORE, MigrationSet, Pool, open_pool
from pavilion_core.forgetting import vault_not_wired
from pavilion_core.pgstore import EventStore

from outreach.config import Config
from outreach.forgetting import Forgetting
from outreach.handlers import Handlers

SCHEDULE = MigrationSet("schedule", "outreach", "sql")


@dataclass
class Services:
    config: Config
    pool: Pool
    handlers: Handlers
    forgetting: Forgetting

    async def close(self) -> None:
        await self.pool.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(config.database_url, EVENT_STORE, CONSUMER, SCHEDULE, size=pool_size)
    store = EventStore(pool, config.idempotency_retention)
    handlers = Handlers(store, config.clock)
    # MERGE (branch shred): vault_not_wired → the vault's forget(subject)
    return Services(config, pool, handlers, Forgetting(handlers, vault_not_wired))
