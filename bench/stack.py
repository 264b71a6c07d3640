"""Scratch databases, topics and service processes for one benchmark run."""

import asyncio
import itertools
import os
import socket
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from pavilion_core.config import DEFAULT_PG_URL, KafkaSettings
from pavilion_core.kafka import ensure_topics

PG_URL = os.environ.get("PAVILION_PG_URL", DEFAULT_PG_URL).rstrip("/")
RUN = f"bench_{uuid.uuid4().hex[:8]}"
_TOPICS = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def database(name: str) -> AsyncIterator[str]:
    """A fresh database for the run, dropped afterwards."""
    full = f"{RUN}_{name}"
    admin = await asyncpg.connect(f"{PG_URL}/postgres")
    try:
        await admin.execute(f"CREATE DATABASE {full}")
        yield f"{PG_URL}/{full}"
    finally:
        await admin.execute(f"DROP DATABASE IF EXISTS {full} WITH (FORCE)")
        await admin.close()


async def topic(kafka: KafkaSettings, name: str) -> str:
    """A fresh topic for the run (each call, even with the same name: rounds)."""
    full = f"{RUN}.{name}.{next(_TOPICS)}"
    await ensure_topics(kafka, [full])
    return full


@asynccontextmanager
async def process(
    args: list[str],
    env: dict[str, str],
    ready_url: str | None,
    log: Path,
    program: str = sys.executable,
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`<program> <args>` (Python by default) with `env`, once `ready_url` (if any)
    answers 200; stopped after."""
    proc = await asyncio.create_subprocess_exec(
        program,
        *args,
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60 if ready_url else 0
        async with httpx.AsyncClient() as http:
            while ready_url:
                try:
                    if (await http.get(ready_url)).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.returncode is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{args} did not become ready; see {log}")
                await asyncio.sleep(0.1)  # polling a starting process, with a deadline
        yield proc
    finally:
        if proc.returncode is None:
            proc.terminate()
            await asyncio.wait_for(proc.wait(), 30)


async def run(args: list[str], env: dict[str, str], log: Path) -> None:
    """`python <args>` with `env` to its end (e.g. a migration); RuntimeError if it fails."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env={**os.environ, **env},
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
    )
    if await asyncio.wait_for(proc.wait(), 120) != 0:
        raise RuntimeError(f"{args} failed; see {log}")
