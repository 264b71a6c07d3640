"""The one place that builds the gateway's pool (the read model, its current generation
prepared and migrated) and the projector's sealer (the vault, to read personal values)."""

from pavilion_contracts.personal import declaration
from pavilion_core.db import Pool
from pavilion_core.personal import Sealer, open_sealer

from gateway.config import Config
from gateway.readmodel import open_read_pool, prepare_at


async def connect(
    config: Config, *, pool_size: int = 10, bounded: bool = False, prepared: bool = False
) -> Pool:
    """The read model's pool; `bounded` (the API's): statements time out (Limits);
    `prepared`: the read model is already migrated (`prepare`), the pool is lazy."""
    seconds = config.limits.statement_seconds if bounded else None
    return await open_read_pool(
        config.database_url,
        config.group_id,
        size=pool_size,
        statement_seconds=seconds,
        prepared=prepared,
    )


async def prepare(config: Config) -> None:
    """Migrate the read model, once for all the API's workers (see `connect`)."""
    await prepare_at(config.database_url, config.group_id)


async def sealer(config: Config) -> Sealer:
    """What decodes the topics' messages for the projector: personal values unsealed."""
    return await open_sealer(config.database_url, declaration(), writes=False)
