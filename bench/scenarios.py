"""The scenarios of issue 8 that run here so far: appends through the HTTP API (1) and
the relay draining them to Kafka (2), and a page of exhibitors through GraphQL (5)."""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import httpx
from pavilion_core.config import KafkaSettings
from pavilion_core.relay import backlog, relay_name

from bench import stack
from bench.measure import Figure, drive, summary, until

STORY = {"PAVILION_SIMULATED_START": "2025-12-01T09:00:00Z"}


def application(i: int) -> dict[str, object]:
    return {
        "edition": "CISCE-2026",
        "companyName": f"Bench Company {i:07d}",
        "country": ["DE", "CN", "US", "FR", "JP"][i % 5],
        "supplyChainAreas": ["CLEAN_ENERGY"],
        "contacts": [{"name": "Bench Contact", "email": f"c{i}@bench.example"}],
    }


async def append_and_relay(
    kafka: KafkaSettings, commands: int, concurrency: int, logs: Path
) -> tuple[Figure, Figure, str]:
    """1: one event per command, `concurrency` clients, synchronous_commit on (the
    default). 2: the relay (its own process) publishing them meanwhile; the backlog is
    sampled every 100 ms."""
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
            api,
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
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:

                async def one(i: int) -> None:
                    response = await http.post("/applications", json=application(i))
                    assert response.status_code == 201, response.text

                started = time.perf_counter()
                seconds, latencies = await drive(commands, concurrency, one)
            await until(lambda: _drained(pool, name), within=600)
            drained = time.perf_counter() - started
            stop.set()
            await sampling
            await pool.close()
    appends = Figure(
        "1 append",
        commands / seconds,
        "cmd/s",
        target="≥1,500 cmd/s, p99 ≤20 ms",
        extra={**summary(latencies), "commands": commands},
    )
    relayed = Figure(
        "2 relay",
        commands / drained,
        "events/s",
        target="backlog bounded",
        extra={"peak_backlog": peak[0], "drained_s": round(drained, 2)},
    )
    return appends, relayed, topic


async def _drained(pool: asyncpg.Pool, relay: str) -> bool:
    return await backlog(pool, relay) == 0


async def replay_and_query(
    kafka: KafkaSettings, topic: str, events: int, requests: int, logs: Path
) -> tuple[Figure, Figure, Figure]:
    """4: the gateway's projector replays `topic` (holding `events`) from offset 0 into a
    fresh read model. 5: a page of 50 exhibitors with contacts, booth and source
    interest, and the edition dashboard, at 16 concurrent clients."""
    async with stack.database("readmodel") as url:
        port = stack.free_port()
        env = {
            **STORY,
            "PAVILION_GATEWAY_DATABASE_URL": url,
            "PAVILION_GATEWAY_PORT": str(port),
            "PAVILION_GATEWAY_TOPICS": topic,
            "PAVILION_GATEWAY_GROUP": f"{topic}.bench",
            "PAVILION_JWT_SECRET": JWT_SECRET,
        }
        async with stack.process(
            ["-m", "gateway", "projector"], env, None, logs / "gateway-projector.log"
        ):
            pool = await _read_model_pool(url)
            # timed from the first applied batch: the process' start-up is not replay
            await until(lambda: _projected(pool, 1), within=120, interval=0.01)
            started, first = time.perf_counter(), await pool.fetchval(COUNT)
            await until(lambda: _projected(pool, events), within=1800, interval=0.05)
            replayed = time.perf_counter() - started
            await pool.close()
            async with (
                _editions(env, logs),
                stack.process(
                    ["-m", "gateway", "api"],
                    env,
                    f"http://127.0.0.1:{port}/readyz",
                    logs / "gateway-api.log",
                ),
            ):
                page = await _graphql_rate(port, PAGE, requests)
                board = await _graphql_rate(port, DASHBOARD, max(100, requests // 10))
    replay = Figure(
        "4 replay",
        (events - first) / replayed,
        "events/s",
        target="≥15,000 events/s, ≥10% of B_copy",
        extra={"events": events},
    )
    return (
        replay,
        Figure("5 query page", page[0], "req/s", target="≥500 req/s", extra=page[1]),
        Figure("5 dashboard", board[0], "req/s", extra=board[1]),
    )


COUNT = "SELECT count(*) FROM exhibitors"
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


async def _read_model_pool(url: str) -> asyncpg.Pool:
    from gateway.readmodel import read_current

    deadline = time.monotonic() + 60
    while True:  # the projector makes the read model's first generation as it starts
        try:
            return await asyncpg.create_pool(url, min_size=1, max_size=2, setup=read_current)
        except asyncpg.UndefinedTableError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def _projected(pool: asyncpg.Pool, events: int) -> bool:
    try:
        return bool(await pool.fetchval(COUNT) >= events)
    except asyncpg.UndefinedTableError:
        return False


async def _graphql_rate(port: int, query: str, requests: int) -> tuple[float, dict[str, float]]:
    from gateway.auth import Role, mint
    from gateway.config import AuthSettings

    auth = AuthSettings(
        secret=JWT_SECRET, jwks_url=None, issuer="pavilion", audience="pavilion-gateway"
    )
    headers = {"authorization": f"Bearer {mint(auth, 'bench', Role.ADMIN)}"}
    limits = httpx.Limits(max_connections=16)
    async with httpx.AsyncClient(timeout=30, limits=limits, headers=headers) as http:

        async def one(_: int) -> None:
            response = await http.post(f"http://127.0.0.1:{port}/graphql", json={"query": query})
            assert response.status_code == 200 and "errors" not in response.json(), response.text

        seconds, latencies = await drive(requests, 16, one)
    return requests / seconds, summary(latencies)
