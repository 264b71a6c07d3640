"""The one place that builds the gateway's pool (its read model, migrated)."""

from pavilion_core.db import CONSUMER, MigrationSet, Pool, open_pool

from gateway.config import Config

READ_MODEL = MigrationSet("read_model", "gateway", "sql")


async def connect(config: Config, *, pool_size: int = 10) -> Pool:
    return await open_pool(config.database_url, CONSUMER, READ_MODEL, size=pool_size)
