"""Load from outside the measured processes.

Closed-loop figures (as many requests as `connections` clients can send back to back)
come from wrk, a C load generator in its own process: a Python client on the same two
cores saturates long before the servers do (httpx topped out at ~200 req/s against a
trivial app that answers 18,000). Open-loop load (a fixed rate, for lag) is paced here.
"""

import asyncio
import json
import resource
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

SCRIPT = Path(__file__).with_name("wrk.lua")


class LoadError(RuntimeError):
    """The load generator failed, or the server answered some requests wrongly."""


async def wrk(
    url: str,
    *,
    seconds: float,
    connections: int,
    method: str = "GET",
    expect: int = 200,
    body: str = "",
    headers: tuple[str, ...] = (),
) -> dict[str, float]:
    """Run wrk for `seconds` with `connections` clients: requests, seconds, p50/p99/mean
    latency in ms, and wrk's own CPU-seconds (`cpu_s`). `{n}` in `body` is unique per
    request. Any response other than `expect`, a GraphQL error or a socket error fails
    the run (LoadError)."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(SCRIPT)]
    # a slow answer is latency, not an error (wrk's default gives up after 2 s: on a
    # busy machine a GraphQL page at 16 connections can take that long)
    args += ["--timeout", "30s"]
    for header in ("Content-Type: application/json", *headers):
        args += ["-H", header]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk is the one child to end
    proc = await asyncio.create_subprocess_exec(
        *args, url, "--", method, str(expect), body, stdout=-1, stderr=-1
    )
    out, err = await proc.communicate()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise LoadError(f"wrk exited with {proc.returncode}: {err.decode()[-500:]}")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    result["cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if result["bad"] or result["socket_errors"]:
        raise LoadError(f"{url}: {result['bad']} bad responses, {result['socket_errors']} errors")
    return result


async def paced(
    rate: float, seconds: float, one: Callable[[int], Awaitable[None]], limit: int = 256
) -> int:
    """Start `one(i)` at `rate` per second for `seconds` whether earlier ones have
    finished or not (open loop), at most `limit` in flight; the number started."""
    slots, tasks = asyncio.Semaphore(limit), []
    started, count = time.perf_counter(), round(rate * seconds)

    async def run(i: int) -> None:
        try:
            await one(i)
        finally:
            slots.release()

    for i in range(count):
        delay = started + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)  # the schedule of an open-loop load, not a wait
        await slots.acquire()
        tasks.append(asyncio.create_task(run(i)))
    await asyncio.gather(*tasks)
    return count
