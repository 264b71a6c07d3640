"""`pavilion-gateway api|projector|migrate`: the gateway's processes."""

import argparse
import asyncio

import uvicorn
from pavilion_core.kafka import KafkaPublisher, ensure_topics, new_producer
from pavilion_core.logging import configure_logging
from pavilion_core.runner import until_signalled

from gateway.app import create_app
from gateway.bootstrap import connect, projector
from gateway.config import SERVICE, Config


async def run_projector(stop: asyncio.Event) -> None:
    config = Config.from_env()
    pool = await connect(config, pool_size=3)
    await ensure_topics(config.kafka, config.topics)
    producer = new_producer(config.kafka, client_id=f"{SERVICE}-projector-dlq")
    await producer.start()
    try:
        await projector(config, pool, KafkaPublisher(producer)).run(stop)
    finally:
        await producer.stop()
        await pool.close()


async def migrate_only() -> None:
    await (await connect(Config.from_env(), pool_size=1)).close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="pavilion-gateway")
    parser.add_argument("process", choices=["api", "projector", "migrate"])
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
    elif args.process == "projector":
        asyncio.run(until_signalled(run_projector))
    else:
        asyncio.run(migrate_only())


if __name__ == "__main__":
    main()
