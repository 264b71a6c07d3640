"""`python -m exhibitors api|relay|reactor|migrate`: the service's processes."""

import asyncio

from fastapi import FastAPI
from pavilion_core import runner, workers

from exhibitors.api import create_app
from exhibitors.bootstrap import start
from exhibitors.config import SERVICE, Config
from exhibitors.consumers import Reactions


async def relay(stop: asyncio.Event) -> None:
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await workers.relay(
            services.pool,
            config.kafka,
            service=SERVICE,
            topic=config.topic,
            batch_size=config.relay_batch_size,
            stop=stop,
        )
    finally:
        await services.close()


async def reactor(stop: asyncio.Event) -> None:
    """Reacts to other services' events (consumers.py)."""
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await workers.consume(
            services.pool,
            config.kafka,
            service=SERVICE,
            group_id=config.reactor_group,
            topics=[config.outreach_topic],
            handler=Reactions(services.editions, config.clock),
            stop=stop,
        )
    finally:
        await services.close()


async def migrate() -> None:
    await (await start(Config.from_env(), pool_size=1)).close()


def api() -> tuple[FastAPI, str, int]:
    config = Config.from_env()
    return create_app(config), config.http_host, config.http_port


def main() -> None:
    runner.main(SERVICE, api=api, workers={"relay": relay, "reactor": reactor}, migrate=migrate)


if __name__ == "__main__":
    main()
