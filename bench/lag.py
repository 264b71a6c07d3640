"""Scenario 3: how long after a command is acknowledged its change is visible through
GraphQL, under a fixed (open-loop) rate of commands.

Commands go to the exhibitors API; one GraphQL subscription (`exhibitorChanged`, the
same push a user's screen gets) reports each change as the gateway serves it. The lag
of a command is the time from its 201 to its exhibitor arriving on the subscription
(0 when the push came first: the change was visible by the time it was acknowledged).

The client is aiohttp, not httpx: at a few hundred requests per second httpx keeps
this process's event loop so busy that acknowledgements are read late and the lags
come out short."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from pavilion_core.config import KafkaSettings

from bench import stack
from bench.load import paced
from bench.measure import Figure, Round, median, percentile
from bench.scenarios import JWT_SECRET, STORY, application, bearer, service_bearer

CHANGED = gql('subscription { exhibitorChanged(edition: "CISCE-2026") { id } }')


async def lag(
    kafka: KafkaSettings,
    capacity: float,
    runs: list[tuple[float, float]],
    rounds: int,
    logs: Path,
) -> list[Figure]:
    """One figure per (share of `capacity`, seconds) in `runs`: the p50 lag in ms, the
    median of `rounds` (each round runs every share in turn, on the same stack)."""
    async with AsyncExitStack() as using:
        exhibitors = await using.enter_async_context(stack.database("lag_exhibitors"))
        read_model = await using.enter_async_context(stack.database("lag_readmodel"))
        topic = await stack.topic(kafka, "lag")
        api, gateway = stack.free_port(), stack.free_port()
        env = {
            **STORY,
            "PAVILION_EXHIBITORS_DATABASE_URL": exhibitors,
            "PAVILION_EXHIBITORS_PORT": str(api),
            "PAVILION_EXHIBITORS_TOPIC": topic,
            "PAVILION_EXHIBITORS_URL": f"http://127.0.0.1:{api}",
            "PAVILION_GATEWAY_DATABASE_URL": read_model,
            "PAVILION_GATEWAY_PORT": str(gateway),
            "PAVILION_GATEWAY_TOPICS": topic,
            "PAVILION_GATEWAY_GROUP": f"{topic}.bench",
            "PAVILION_JWT_SECRET": JWT_SECRET,
        }
        for service, process, port in [
            ("exhibitors", "api", api),
            ("exhibitors", "relay", None),
            ("gateway", "projector", None),
            ("gateway", "api", gateway),
        ]:
            ready = f"http://127.0.0.1:{port}/readyz" if port else None
            log = logs / f"lag-{service}-{process}.log"
            await using.enter_async_context(
                stack.process(["-m", service, process], env, ready, log)
            )
        http = await using.enter_async_context(
            aiohttp.ClientSession(
                f"http://127.0.0.1:{api}",
                timeout=aiohttp.ClientTimeout(total=30),
                headers={"authorization": service_bearer(3600)},
            )
        )
        found: dict[float, list[Round]] = {share: [] for share, _ in runs}
        for _ in range(rounds):
            for share, seconds in runs:
                async with _watching(gateway) as watch:
                    await _warm_up(http, watch)
                    lags, rate = await _commands(
                        http, watch, rate=capacity * share, seconds=seconds
                    )
                fifth = max(1, len(lags) // 5)
                extra = {
                    "p99_ms": round(percentile(lags, 99), 2),
                    "rate": round(capacity * share, 1),
                    "achieved_rate": round(rate, 1),
                    "seconds": seconds,
                    "p50_first_fifth_ms": round(percentile(lags[:fifth], 50), 2),
                    "p50_last_fifth_ms": round(percentile(lags[-fifth:], 50), 2),
                }
                if watch.unseen:  # the gateway closed the subscription: it fell too far behind
                    extra["unseen"] = watch.unseen
                found[share].append((percentile(lags, 50), extra))
    target = "p99 ≤100 ms at 50%; at 80% not growing"
    return [median(f"3 lag @{share:.0%}", "ms", found[share], target) for share in found]


@dataclass
class Watch:
    """What one subscription saw: application id → when its change first arrived."""

    seen: dict[str, float] = field(default_factory=dict)
    ended: bool = False  # the subscription is over (the gateway closes one that lags)
    unseen: int = 0  # commands whose change never arrived because of that


@asynccontextmanager
async def _watching(port: int) -> AsyncIterator[Watch]:
    from gateway.policy import decode

    watch = Watch()
    transport = WebsocketsTransport(
        url=f"ws://127.0.0.1:{port}/graphql",
        init_payload={"Authorization": bearer()},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:

        async def listen() -> None:
            try:
                async for result in session.subscribe(CHANGED):
                    application_id = decode(result["exhibitorChanged"]["id"]).local
                    watch.seen.setdefault(application_id, time.perf_counter())
            finally:
                watch.ended = True

        listening = asyncio.create_task(listen())
        try:
            yield watch
        finally:
            listening.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await listening


async def _warm_up(http: aiohttp.ClientSession, watch: Watch) -> None:
    """Until one command's change arrives: the subscription is live, caches are warm
    (and what an earlier run left behind has been projected)."""
    deadline = time.monotonic() + 300
    while True:
        try:
            await asyncio.wait_for(_commands(http, watch, rate=1, seconds=1, within=2), 3)
            if watch.ended:
                raise RuntimeError("the subscription ended before the run; see the gateway log")
            return
        except TimeoutError:
            if time.monotonic() > deadline:
                raise


async def _commands(
    http: aiohttp.ClientSession,
    watch: Watch,
    rate: float,
    seconds: float,
    within: float | None = None,
) -> tuple[list[float], float]:
    """Submit at `rate` for `seconds`: each command's lag in ms, in the order sent, and
    the rate achieved (lower than `rate` if the API could not take it)."""
    run, acked = uuid.uuid4().hex[:6], {}

    async def one(i: int) -> None:
        async with http.post("/applications", json=application(f"{run}-{i:07d}")) as response:
            body = await response.json()
            if response.status != 201:
                raise RuntimeError(f"command refused: {response.status} {body}")
        acked[i] = (body["id"], time.perf_counter())

    started = time.perf_counter()
    sent = await paced(rate, seconds, one)
    achieved = sent / (time.perf_counter() - started)
    deadline = time.monotonic() + (within or max(120.0, 2 * seconds))
    seen, missing = watch.seen, [app for app, _ in acked.values()]
    while missing := [app for app in missing if app not in seen]:
        if watch.ended:
            watch.unseen = len(missing)
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(missing)} of {sent} changes never arrived")
        await asyncio.sleep(0.05)  # the subscription fills `seen`; checked with a deadline
    ordered = (acked[i] for i in sorted(acked))
    lags = [max(0.0, seen[app] - at) * 1000 for app, at in ordered if app in seen]
    return lags, achieved
