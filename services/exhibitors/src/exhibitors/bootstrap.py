"""The one place that builds pools, stores and handlers for the exhibitors service."""

from dataclasses import dataclass

from pavilion_contracts.personal import declaration
from pavilion_core.commanding import Dispatch
from pavilion_core.db import CONSUMER, EVENT_STORE, MigrationSet, Pool, open_pool
from pavilion_core.personal import Sealer, open_sealer
from pavilion_core.pgstore import EventStore

from exhibitors.config import Config
from exhibitors.editions import EditionHandlers, seed, seed_editions
from exhibitors.forgetting import Forgetting
from exhibitors.handlers import Handlers, registry
from exhibitors.rebooking import PgFinder, Rebooking

LOOKUPS = MigrationSet("exhibitors", "exhibitors", "sql")  # indexes of re-booking's questions


@dataclass
class Services:
    config: Config
    pool: Pool
    sealer: Sealer
    store: EventStore
    handlers: Handlers
    rebooking: Rebooking
    dispatch: Dispatch  # each command's handler

    async def close(self) -> None:
        await self.store.announcer.flushed()
        await self.pool.close()
        await self.sealer.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    editions = seed(config.editions_file)  # a bad file stops the service before it connects
    pool = await open_pool(
        config.database_url, EVENT_STORE, CONSUMER, LOOKUPS, size=pool_size, reset_sessions=False
    )
    sealer = await open_sealer(config.database_url, declaration(), writes=True)
    store = EventStore(pool, sealer, config.idempotency_retention)
    handlers = Handlers(store, config.clock)
    edition_handlers = EditionHandlers(handlers)
    rebooking = Rebooking(handlers, PgFinder(pool))
    dispatch = registry.bind(
        handlers, Forgetting(handlers, sealer.vault), edition_handlers, rebooking
    )
    services = Services(config, pool, sealer, store, handlers, rebooking, dispatch)
    try:
        await seed_editions(edition_handlers, editions)
    except BaseException:
        await services.close()
        raise
    return services
