"""Scenarios 1, 2, 4 and 5: appends through the exhibitors API and the relay draining
them to Kafka, then the gateway's projector replaying the topic and GraphQL queries on
what it built. Scenario 3 is in lag.py, 6 in notify.py."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
from pavilion_core.config import KafkaSettings
from pavilion_core.fence import stored_offsets
from pavilion_core.relay import backlog, relay_name
from pavilion_core.service_tokens import ServiceTokens

from bench import stack
from bench.history import produce
from bench.load import wrk
from bench.measure import Figure, latency, until
from bench.profile import profiling

# The story's clock, one anchor for every process a bench run starts (or restarts).
STORY = {
    "PAVILION_SIMULATED_START": "2025-12-01T09:00:00Z",
    "PAVILION_SIMULATED_SINCE": datetime.now(UTC).isoformat(),
}


def application(n: str) -> dict[str, object]:
    """A new application's command; `n` makes its company and contact unique."""
    return {
        "edition": "CISCE-2026",
        "companyName": f"Bench Company {n}",
        "country": "DE",
        "supplyChainAreas": ["CLEAN_ENERGY"],
        "contacts": [{"name": "Bench Contact", "email": f"c{n}@bench.example"}],
    }


async def append_and_relay(
    kafka: KafkaSettings, seconds: float, concurrency: int, logs: Path
) -> tuple[Figure, Figure, str, int]:
    """1: one event per command for `seconds`, `concurrency` clients, synchronous_commit
    on (the default). 2: the relay (its own process) publishing them meanwhile, timed
    until the outbox is empty; the backlog is sampled every 100 ms. Also returns the
    topic and how many events it holds."""
    async with stack.database("exhibitors") as url:
        topic = await stack.topic(kafka, "exhibitors")
        port = stack.free_port()
        env = {
            **STORY,
            "PAVILION_EXHIBITORS_DATABASE_URL": url,
            "PAVILION_EXHIBITORS_PORT": str(port),
            "PAVILION_EXHIBITORS_TOPIC": topic,
        }
        api = stack.process(
            ["-m", "exhibitors", "api"],
            env,
            f"http://127.0.0.1:{port}/readyz",
            logs / "exhibitors-api.log",
        )
        async with (
            api as api_process,
            stack.process(["-m", "exhibitors", "relay"], env, None, logs / "exhibitors-relay.log"),
        ):
            pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
            name = relay_name("exhibitors", topic)
            peak, stop = [0], asyncio.Event()

            async def sample() -> None:
                while not stop.is_set():
                    peak[0] = max(peak[0], await backlog(pool, name))
                    await asyncio.sleep(0.1)  # a sampling interval, not a wait

            sampling = asyncio.create_task(sample())
            started = time.perf_counter()
            async with profiling(api_process.pid, "1-append"):
                load = await wrk(
                    f"http://127.0.0.1:{port}/applications",
                    seconds=seconds,
                    connections=concurrency,
                    method="POST",
                    expect=201,
                    body=json.dumps(application("{n}")),
                    headers=(f"Authorization: {service_bearer(seconds)}",),
                )
            await until(lambda: _drained(pool, name), within=600)
            drained = time.perf_counter() - started
            stop.set()
            await sampling
            events = await pool.fetchval("SELECT count(*) FROM events")
            await pool.close()
    appends = Figure(
        "1 append",
        load["requests"] / load["seconds"],
        "cmd/s",
        target="≥1,500 cmd/s, p99 ≤20 ms",
        extra={**latency(load), "commands": load["requests"]},
    )
    relayed = Figure(
        "2 relay",
        events / drained,
        "events/s",
        target="backlog bounded",
        extra={"peak_backlog": peak[0], "drained_s": round(drained, 2)},
    )
    return appends, relayed, topic, events


async def _drained(pool: asyncpg.Pool, relay: str) -> bool:
    return await backlog(pool, relay) == 0


async def replay_and_query(
    kafka: KafkaSettings, topic: str, appended: int, history: int, seconds: float, logs: Path
) -> tuple[Figure, Figure, Figure]:
    """4: `history` more events are put on `topic` (which holds scenario 1's `appended`),
    then the gateway's projector replays it all from offset 0 into a fresh read model.
    5: a page of 50 exhibitors with contacts, booth and source interest, and the edition
    dashboard, each for `seconds` at 16 concurrent clients."""
    await produce(kafka, topic, history)
    events = appended + history
    async with stack.database("readmodel") as url:
        port = stack.free_port()
        group = f"{topic}.bench"
        env = {
            **STORY,
            "PAVILION_GATEWAY_DATABASE_URL": url,
            "PAVILION_GATEWAY_PORT": str(port),
            "PAVILION_GATEWAY_TOPICS": topic,
            "PAVILION_GATEWAY_GROUP": group,
            "PAVILION_JWT_SECRET": JWT_SECRET,
        }
        async with stack.process(
            ["-m", "gateway", "projector"], env, None, logs / "gateway-projector.log"
        ) as projector:
            pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
            # timed from the first applied batch: the process' start-up is not replay
            await until(lambda: _applied(pool, group, 1), within=120)
            started, first = time.perf_counter(), await applied(pool, group)
            async with profiling(projector.pid, "4-replay"):
                await until(lambda: _applied(pool, group, events), within=3600, interval=0.1)
            replayed = time.perf_counter() - started
            await pool.close()
            async with (
                _editions(env, logs),
                stack.process(
                    ["-m", "gateway", "api"],
                    env,
                    f"http://127.0.0.1:{port}/readyz",
                    logs / "gateway-api.log",
                ) as gateway,
            ):
                async with profiling(gateway.pid, "5-query-page"):
                    page = await _graphql_load(port, PAGE, seconds)
                board = await _graphql_load(port, DASHBOARD, seconds)
    replay = Figure(
        "4 replay",
        (events - first) / replayed,
        "events/s",
        target="≥15,000 events/s, ≥10% of B_copy",
        extra={"events": events, "replay_s": round(replayed, 2)},
    )
    return (
        replay,
        Figure(
            "5 query page",
            page["requests"] / page["seconds"],
            "req/s",
            target="≥500 req/s",
            extra=latency(page),
        ),
        Figure("5 dashboard", board["requests"] / board["seconds"], "req/s", extra=latency(board)),
    )


JWT_SECRET = "bench-secret-of-at-least-thirty-two-characters"
PAGE = """{ exhibitors(edition: "CISCE-2026", first: 50) { totalCount edges { node {
  companyName contacts { name email } booth { code hall } sourceInterest { stage } } } } }"""
DASHBOARD = """{ editionDashboard(edition: "CISCE-2026") { totalExhibitors foreignShare
  exhibitorsByStatus { key count } boothsFree boothsTaken } }"""


@asynccontextmanager
async def _editions(env: dict[str, str], logs: Path) -> AsyncIterator[None]:
    """An exhibitors API for the editions the dashboard reads (its data is not used)."""
    port = stack.free_port()
    env["PAVILION_EXHIBITORS_URL"] = f"http://127.0.0.1:{port}"
    own = {**env, "PAVILION_EXHIBITORS_PORT": str(port)}
    async with stack.database("editions") as url:
        own["PAVILION_EXHIBITORS_DATABASE_URL"] = url
        ready = f"http://127.0.0.1:{port}/readyz"
        async with stack.process(["-m", "exhibitors", "api"], own, ready, logs / "editions.log"):
            yield


async def applied(pool: asyncpg.Pool, group: str) -> int:
    """How many messages `group` has applied, on topics it read from offset 0."""
    return sum((await stored_offsets(pool, group)).values())


async def _applied(pool: asyncpg.Pool, group: str, events: int) -> bool:
    try:
        return await applied(pool, group) >= events
    except asyncpg.UndefinedTableError:  # the projector has not made its tables yet
        return False


def service_bearer(seconds: float) -> str:
    """A service token for the exhibitors API, valid for a run of `seconds` (wrk and
    the lag scenario's client call it directly, as the gateway would)."""
    token = ServiceTokens.from_env().mint("bench", "exhibitors", ttl_seconds=int(seconds) + 600)
    return f"Bearer {token}"


def bearer() -> str:
    """An ADMIN's Authorization header for the benchmark's gateway."""
    from gateway.auth import Role, mint
    from gateway.config import AuthSettings

    auth = AuthSettings(
        secret=JWT_SECRET, jwks_url=None, issuer="pavilion", audience="pavilion-gateway"
    )
    return f"Bearer {mint(auth, 'bench', Role.ADMIN)}"


async def _graphql_load(port: int, query: str, seconds: float) -> dict[str, float]:
    return await wrk(
        f"http://127.0.0.1:{port}/graphql",
        seconds=seconds,
        connections=16,
        method="POST",
        body=json.dumps({"query": query}),
        headers=(f"Authorization: {bearer()}",),
    )
