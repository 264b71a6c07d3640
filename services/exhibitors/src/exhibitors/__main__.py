"""`python -m exhibitors api|relay|reactor|migrate`: the service's processes."""

import asyncio

from fastapi import FastAPI
from pavilion_core import runner
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.kafka import ensure_topics, started_producer
from pavilion_core.relay import OutboxRelay

from exhibitors.api import create_app
from exhibitors.bootstrap import start
from exhibitors.config import SERVICE, Config
from exhibitors.consumers import Reactions


async def relay(stop: asyncio.Event) -> None:
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await ensure_topics(config.kafka, [config.topic])
        async with started_producer(config.kafka, f"{SERVICE}-relay") as publisher:
            relay = OutboxRelay(
                services.pool,
                publisher,
                service=SERVICE,
                topic=config.topic,
                batch_size=config.relay_batch_size,
            )
            await relay.run(stop)
    finally:
        await services.close()


async def reactor(stop: asyncio.Event) -> None:
    """Reacts to other services' events (consumers.py)."""
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await ensure_topics(config.kafka, [config.outreach_topic])
        async with started_producer(config.kafka, f"{SERVICE}-reactor-dlq") as dead_letters:
            await ConsumerLoop(
                pool=services.pool,
                kafka=config.kafka,
                group_id=config.reactor_group,
                topics=[config.outreach_topic],
                handler=Reactions(services.editions, config.clock),
                dead_letters=dead_letters,
            ).run(stop)
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
