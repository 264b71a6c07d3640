"""`python -m gateway api|projector|migrate`: the gateway's processes.
Operator commands (tokens, the SDL, rebuilds) are `python -m gateway.cli`."""

import asyncio
import os
import tempfile
from typing import TYPE_CHECKING, Any

from pavilion_contracts.reader import READER
from pavilion_core import runner, workers
from pavilion_core.logging import configure_logging
from pavilion_core.service_tokens import ServiceTokens

from gateway.bootstrap import connect, prepare, sealer
from gateway.config import NEWS_FILE, SERVICE, AuthSettings, Config
from gateway.projector import project
from gateway.readmodel import write_to_current

if TYPE_CHECKING:
    from fastapi import FastAPI


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


def one_api() -> tuple["FastAPI", str, int]:
    from gateway.app import create_app  # (see worker)

    config = Config.from_env()
    return create_app(config), config.http_host, config.http_port


def api() -> None:
    """The API: one process, or `workers` of them on one socket (uvicorn's supervisor
    restarts any that dies, and passes SIGTERM on for each to shut down gracefully)."""
    config = Config.from_env()
    # a WebSocket frame no larger than a request's body may be (uvicorn's default: 16 MiB)
    frames: dict[str, Any] = {"ws_max_size": config.limits.max_body_bytes}
    if config.workers == 1:
        app, host, port = one_api()
        runner.serve(app, host, port, **frames)
        return
    # what the app reads besides Config: a refused setting stops us here, not each worker
    # as it starts (again and again)
    AuthSettings.from_env()
    ServiceTokens.from_env()
    # once for all the workers: a worker replaced during an outage then starts without
    # the database (uvicorn's supervisor stops them all when one fails to start)
    asyncio.run(prepare(config))
    fd, path = tempfile.mkstemp(prefix="pavilion-gateway-news-")
    os.write(fd, bytes(8))  # the workers' HostCount, at 0
    os.close(fd)
    os.environ[NEWS_FILE] = path  # spawned workers inherit the environment
    try:
        runner.serve(
            "gateway.__main__:worker",
            config.http_host,
            config.http_port,
            factory=True,
            workers=config.workers,
            # a worker that does not answer the supervisor's ping in time is killed and
            # replaced: a loaded machine takes longer than the default 5 s to start one
            **frames,
            timeout_worker_healthcheck=30,
        )
    finally:
        os.unlink(path)


def worker() -> "FastAPI":
    """The app of one API worker process (spawned: it configures its own logging). Only
    API processes import the app: building its schema takes seconds, which the
    supervisor of the workers, or a projector, need not spend before they start."""
    from gateway.app import create_app

    configure_logging(SERVICE)
    return create_app(prepared=True)


def main() -> None:
    processes = {"projector": run_projector}
    runner.main(SERVICE, api=one_api, workers=processes, migrate=migrate, others={"api": api})


if __name__ == "__main__":
    main()
