"""The one place that builds the gateway's pool (the read model, its current generation
prepared and migrated) and the projector's sealer (the vault, to read personal values)."""

from pavilion_contracts.personal import declaration
from pavilion_core.db import Pool
from pavilion_core.personal import Sealer, open_sealer

from gateway.config import Config
from gateway.readmodel import open_read_pool


async def connect(config: Config, *, pool_size: int = 10, bounded: bool = False) -> Pool:
    """The read model's pool; `bounded` (the API's): statements time out (Limits)."""
    seconds = config.limits.statement_seconds if bounded else None
    return await open_read_pool(
        config.database_url, config.group_id, size=pool_size, statement_seconds=seconds
    )


async def sealer(config: Config) -> Sealer:
    """What decodes the topics' messages for the projector: personal values unsealed."""
    return await open_sealer(config.database_url, declaration(), writes=False)
