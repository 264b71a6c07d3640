"""`pavilion-exhibitors api|relay|migrate`: the service's processes."""

import argparse
import asyncio

import uvicorn
from pavilion_core.kafka import KafkaPublisher, ensure_topics, new_producer
from pavilion_core.logging import configure_logging
from pavilion_core.relay import OutboxRelay
from pavilion_core.runner import until_signalled

from exhibitors.api import create_app
from exhibitors.bootstrap import start
from exhibitors.config import SERVICE, Config


async def relay(stop: asyncio.Event) -> None:
    config = Config.from_env()
    services = await start(config, pool_size=3)
    await ensure_topics(config.kafka, [config.topic])
    producer = new_producer(config.kafka, client_id=f"{SERVICE}-relay")
    await producer.start()
    try:
        relay = OutboxRelay(
            services.pool, KafkaPublisher(producer), service=SERVICE, topic=config.topic
        )
        await relay.run(stop)
    finally:
        await producer.stop()
        await services.close()


async def migrate_only() -> None:
    await (await start(Config.from_env(), pool_size=1)).close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="pavilion-exhibitors")
    parser.add_argument("process", choices=["api", "relay", "migrate"])
    args = parser.parse_args()
    configure_logging(SERVICE)
    if args.process == "api":
        config = Config.from_env()
        uvicorn.run(
            create_app(config),
            host=config.http_host,
            port=config.http_port,
            log_config=None,
            access_log=False,
        )
    elif args.process == "relay":
        asyncio.run(until_signalled(relay))
    else:
        asyncio.run(migrate_only())


if __name__ == "__main__":
    main()
