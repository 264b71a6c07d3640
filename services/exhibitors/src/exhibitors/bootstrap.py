"""The one place that builds pools, stores and producers for the exhibitors service."""

from dataclasses import dataclass

from pavilion_core.db import EVENT_STORE, Pool, open_pool
from pavilion_core.eventstore import EventStorePort
from pavilion_core.pgstore import EventStore

from exhibitors.config import Config


@dataclass
class Services:
    config: Config
    pool: Pool
    store: EventStorePort

    async def close(self) -> None:
        await self.pool.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(config.database_url, EVENT_STORE, size=pool_size)
    return Services(config=config, pool=pool, store=EventStore(pool))
