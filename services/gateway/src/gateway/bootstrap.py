"""The one place that builds the gateway's pool and consumer."""

from pavilion_core.consumer import ConsumerLoop
from pavilion_core.db import CONSUMER, MigrationSet, Pool, open_pool
from pavilion_core.kafka import Publisher

from gateway.config import Config
from gateway.projector import project

READ_MODEL = MigrationSet("read_model", "gateway", "sql")


async def connect(config: Config, *, pool_size: int = 10) -> Pool:
    return await open_pool(config.database_url, CONSUMER, READ_MODEL, size=pool_size)


def projector(config: Config, pool: Pool, dead_letters: Publisher) -> ConsumerLoop:
    return ConsumerLoop(
        pool=pool,
        kafka=config.kafka,
        group_id=config.group_id,
        topics=config.topics,
        handler=project,
        dead_letters=dead_letters,
    )
