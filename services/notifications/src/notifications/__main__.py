"""`python -m notifications worker|relay|webhooks|api|migrate`: the service's processes
(`worker` is the faust-streaming app, `webhooks` posts the deliveries)."""

import asyncio

import httpx
from fastapi import FastAPI
from pavilion_core import runner, workers

from notifications import app as streaming
from notifications.api import create_app
from notifications.app import Handler
from notifications.bootstrap import start
from notifications.config import SERVICE, Config
from notifications.deliveries import Deliverer
from notifications.webhooks import RetrySchedule


def worker() -> None:
    config = Config.from_env()

    async def handler() -> Handler:
        return (await start(config, pool_size=3)).notifier

    faust_app, _ = streaming.create_app(
        config.kafka.bootstrap, config.source_topics, handler, app_id=config.app_id
    )
    streaming.run_worker(faust_app)


async def relay(stop: asyncio.Event) -> None:
    config = Config.from_env()
    services = await start(config, pool_size=3)
    try:
        await workers.relay(
            services.pool,
            config.kafka,
            service=SERVICE,
            topic=config.topic,
            batch_size=500,
            stop=stop,
        )
    finally:
        await services.close()


async def webhooks(stop: asyncio.Event) -> None:
    """Posts due webhook deliveries, every second."""
    config = Config.from_env()
    services = await start(config, pool_size=3)
    schedule = (
        RetrySchedule.parse(config.webhook_schedule) if config.webhook_schedule else RetrySchedule()
    )
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            deliverer = Deliverer(services.pool, config.clock, schedule, http)
            while not stop.is_set():
                if not await deliverer.deliver_due():
                    await runner.wait_first(stop, seconds=1.0)
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
        workers={"relay": relay, "webhooks": webhooks},
        migrate=migrate,
        others={"worker": worker},
    )


if __name__ == "__main__":
    main()
