"""`python -m gateway api|projector|migrate`: the gateway's processes.
Operator commands (tokens, the SDL, rebuilds) are `python -m gateway.cli`."""

import asyncio

from fastapi import FastAPI
from pavilion_contracts.reader import READER
from pavilion_core import runner, workers

from gateway.app import create_app
from gateway.bootstrap import connect, sealer
from gateway.config import SERVICE, Config
from gateway.projector import project
from gateway.readmodel import write_to_current


async def run_projector(stop: asyncio.Event) -> None:
    config = Config.from_env()
    pool = await connect(config, pool_size=3)
    unsealing = await sealer(config)
    try:
        await workers.consume(
            pool,
            config.kafka,
            service=SERVICE,
            group_id=config.group_id,
            topics=config.topics,
            handler=project,
            reader=READER,
            batch_handler=project.batch,
            sealer=unsealing,
            stop=stop,
            begin=write_to_current,
        )
    finally:
        await pool.close()
        await unsealing.close()


async def migrate() -> None:
    await (await connect(Config.from_env(), pool_size=1)).close()


def api() -> tuple[FastAPI, str, int]:
    config = Config.from_env()
    return create_app(config), config.http_host, config.http_port


def main() -> None:
    runner.main(SERVICE, api=api, workers={"projector": run_projector}, migrate=migrate)


if __name__ == "__main__":
    main()
