"""`python -m outreach api|relay|reactor|scheduler|migrate`: the service's processes."""

import asyncio

from fastapi import FastAPI
from pavilion_core import runner, workers

from outreach.api import create_app
from outreach.bootstrap import start
from outreach.config import SERVICE, Config
from outreach.consumers import Reactions
from outreach.scheduler import run_every


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
    """exhibitors' applications that name an interest; its own follow-up schedule."""
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await workers.consume(
            services.pool,
            config.kafka,
            service=SERVICE,
            group_id=config.reactor_group,
            topics=[config.exhibitors_topic, config.topic],
            handler=Reactions(config.clock),
            stop=stop,
        )
    finally:
        await services.close()


async def scheduler(stop: asyncio.Event) -> None:
    """Announces overdue follow-ups every PAVILION_OUTREACH_OVERDUE_INTERVAL seconds."""
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await run_every(services.pool, services.handlers, config.overdue_interval, stop)
    finally:
        await services.close()


async def migrate() -> None:
    await (await start(Config.from_env(), pool_size=1)).close()


def api() -> tuple[FastAPI, str, int]:
    config = Config.from_env()
    return create_app(config), config.http_host, config.http_port


def main() -> None:
    runner.main(
        SERVICE,
        api=api,
        workers={"relay": relay, "reactor": reactor, "scheduler": scheduler},
        migrate=migrate,
    )


if __name__ == "__main__":
    main()
