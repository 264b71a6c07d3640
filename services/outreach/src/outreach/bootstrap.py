"""The one place that builds pools, stores and handlers for the outreach service."""

from dataclasses import dataclass

from pavilion_contracts.personal import declaration
from pavilion_core.commanding import Dispatch
from pavilion_core.db import CONSUMER, EVENT_STORE, MigrationSet, Pool, open_pool
from pavilion_core.personal import Sealer, open_sealer
from pavilion_core.pgstore import EventStore

from outreach.config import Config
from outreach.forgetting import Forgetting
from outreach.handlers import Handlers, registry

SCHEDULE = MigrationSet("schedule", "outreach", "sql")


@dataclass
class Services:
    config: Config
    pool: Pool
    sealer: Sealer
    store: EventStore
    handlers: Handlers
    forgetting: Forgetting
    dispatch: Dispatch  # each command's handler: a command without one fails the start

    async def close(self) -> None:
        await self.store.announcer.flushed()
        await self.pool.close()
        await self.sealer.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(
        config.database_url, EVENT_STORE, CONSUMER, SCHEDULE, size=pool_size, reset_sessions=False
    )
    sealer = await open_sealer(config.database_url, declaration(), writes=True)
    store = EventStore(pool, sealer, config.idempotency_retention)
    handlers = Handlers(store, config.clock)
    forgetting = Forgetting(handlers, sealer.vault)
    dispatch = registry.bind(handlers, forgetting)
    return Services(config, pool, sealer, store, handlers, forgetting, dispatch)
