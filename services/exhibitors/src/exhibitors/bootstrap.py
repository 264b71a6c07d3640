"""The one place that builds pools, stores and handlers for the exhibitors service."""

from dataclasses import dataclass

from pavilion_core.db import CONSUMER, EVENT_STORE, Pool, open_pool
from pavilion_core.pgstore import EventStore

from exhibitors.config import Config
from exhibitors.editions import Editions, load_editions
from exhibitors.forgetting import Forgetting, person_vault_not_wired
from exhibitors.handlers import Handlers


@dataclass
class Services:
    config: Config
    pool: Pool
    editions: Editions
    handlers: Handlers
    forgetting: Forgetting

    async def close(self) -> None:
        await self.pool.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    editions = load_editions(config.editions_file)
    pool = await open_pool(config.database_url, EVENT_STORE, CONSUMER, size=pool_size)
    store = EventStore(pool, config.idempotency_retention)
    handlers = Handlers(store, editions, config.clock)
    # MERGE (branch shred): person_vault_not_wired → the vault's forgetting of the
    # subject it maps from (application, address)
    forgetting = Forgetting(handlers, person_vault_not_wired)
    return Services(config, pool, editions, handlers, forgetting)
