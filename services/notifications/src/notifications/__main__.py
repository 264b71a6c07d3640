"""`python -m notifications worker|relay|api|migrate`: the service's processes
(`worker` is the faust-streaming app)."""

import asyncio

from fastapi import FastAPI
from pavilion_core import runner, workers

from notifications import app as streaming
from notifications.api import create_app
from notifications.app import Handle
from notifications.bootstrap import start
from notifications.config import SERVICE, Config


def worker() -> None:
    config = Config.from_env()

    async def handler() -> Handle:
        return (await start(config, pool_size=3)).notifier.handle

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


async def migrate() -> None:
    await (await start(Config.from_env(), pool_size=1)).close()


def api() -> tuple[FastAPI, str, int]:
    config = Config.from_env()
    return create_app(config), config.http_host, config.http_port


def main() -> None:
    runner.main(
        SERVICE, api=api, workers={"relay": relay}, migrate=migrate, others={"worker": worker}
    )


if __name__ == "__main__":
    main()
