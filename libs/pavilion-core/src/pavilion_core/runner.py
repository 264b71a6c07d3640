"""How a service's processes start: `python -m <service> <process>`.

HTTP APIs run under uvicorn; workers run until SIGTERM or SIGINT and then finish the
batch in hand, and start over (after a backoff) whenever PostgreSQL or Kafka goes away.
Both run on uvloop (and APIs parse HTTP with httptools): several times the requests per
second of the pure-Python defaults on the same cores (bench/).
"""

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from functools import partial
from pathlib import Path
from typing import Any

import uvicorn
import uvloop

from pavilion_core.errors import ConfigError
from pavilion_core.logging import configure_logging
from pavilion_core.outages import persist

Worker = Callable[[asyncio.Event], Awaitable[None]]


async def wait_first(*events: asyncio.Event, seconds: float) -> None:
    """Wait until any of `events` is set, or `seconds` have passed."""
    waiters = [asyncio.ensure_future(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


HEARTBEAT_SECONDS = 10.0


def heartbeat_file() -> Path:
    """Touched every HEARTBEAT_SECONDS while a worker's event loop runs: a container's
    health check (deploy) reads its age, so a worker stuck in blocking code shows."""
    return Path(os.environ.get("PAVILION_HEARTBEAT_FILE") or "/tmp/pavilion.heartbeat")


async def heartbeat(stop: asyncio.Event) -> None:
    beat = heartbeat_file()
    while not stop.is_set():
        beat.touch()
        await wait_first(stop, seconds=HEARTBEAT_SECONDS)


async def until_signalled(work: Worker) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    beating = asyncio.create_task(heartbeat(stop))
    try:
        await work(stop)
    finally:
        stop.set()
        await beating
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(sig)


def main(
    service: str,
    *,
    api: Callable[[], tuple[Any, str, int]],
    workers: Mapping[str, Worker],
    migrate: Callable[[], Coroutine[Any, Any, None]],
    others: Mapping[str, Callable[[], None]] | None = None,
) -> None:
    """Parse the process name and run it: `api` (app, host, port), a worker, `migrate`,
    or another process that runs its own loop (a faust worker)."""
    processes: dict[str, Callable[[], None]] = {
        "api": lambda: serve(*api()),
        "migrate": lambda: asyncio.run(migrate()),
        **(others or {}),
    }
    for name, worker in workers.items():
        processes[name] = partial(_work, f"{service} {name}", worker)
    parser = argparse.ArgumentParser(prog=f"python -m {service}")
    parser.add_argument("process", choices=sorted(processes))
    args = parser.parse_args()
    configure_logging(service)
    try:
        processes[args.process]()
    except ConfigError as exc:  # a setting is missing or refused: say which, and stop
        print(f"{service} {args.process}: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _work(name: str, worker: Worker) -> None:
    """A worker rides out its dependencies' outages: it starts over once they are back."""
    uvloop.run(until_signalled(partial(persist, name, worker)))


# How long an idle connection stays open. A client keeps one in its pool for a few seconds
# (httpx: 5, as long as uvicorn's default here) and sends its next request on it: were the
# server to close it as that request went out, the request would be lost on the way (the
# gateway's command would fail as UNAVAILABLE). Longer than any client keeps one, the
# client always lets go first; as long as nginx's default.
KEEP_ALIVE_SECONDS = 75


def serve(app: Any, host: str, port: int, **options: Any) -> None:
    """Serve an ASGI app (or its import string, with uvicorn's `options` such as
    `workers`) with uvicorn on uvloop and httptools, logging our way."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_config=None,
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        **options,
    )
