"""The one place that builds the gateway's pool: the read model, its current generation
prepared and migrated."""

from pavilion_core.db import Pool

from gateway.config import Config
from gateway.readmodel import open_read_pool


async def connect(config: Config, *, pool_size: int = 10, bounded: bool = False) -> Pool:
    """The read model's pool; `bounded` (the API's): statements time out (Limits)."""
    seconds = config.limits.statement_seconds if bounded else None
    return await open_read_pool(
        config.database_url, config.group_id, size=pool_size, statement_seconds=seconds
    )
