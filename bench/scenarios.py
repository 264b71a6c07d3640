"""Scenarios 1, 2, 4 and 5: appends through the exhibitors API and the relay draining
them to Kafka (and a relay emptying a full outbox), then the gateway's projector
replaying the topic and GraphQL queries on what it built, beside PostGraphile on the
same tables. Scenario 3 is in lag.py, 6 in notify.py."""

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx
from pavilion_core.config import KafkaSettings
from pavilion_core.fence import stored_offsets
from pavilion_core.kafka import offset_ranges, partitions
from pavilion_core.pgstore import NOTIFY_CHANNEL
from pavilion_core.relay import backlog, relay_name
from pavilion_core.service_tokens import ServiceTokens

from bench import stack
from bench.cpu import Usage, cpu
from bench.history import produce
from bench.load import LoadError, wrk
from bench.measure import Figure, Round, latency, median, until
from bench.peers import stores
from bench.peers.postgraphile import DASHBOARD as postgraphile_dashboard
from bench.peers.postgraphile import PAGE as postgraphile_page
from bench.peers.postgraphile import postgraphile
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
    kafka: KafkaSettings, seconds: float, concurrency: int, rounds: int, logs: Path
) -> tuple[Figure, Figure, str, int]:
    """1: one event per command, `rounds` wrk runs of `seconds` each, `concurrency`
    clients, synchronous_commit on (the default). 2: the relay (its own process)
    publishing them meanwhile, timed until the outbox is empty; the backlog is sampled
    every 100 ms. Also returns the topic and how many events it holds."""
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
            stack.process(
                ["-m", "exhibitors", "relay"], env, None, logs / "exhibitors-relay.log"
            ) as relay,
        ):
            pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
            name = relay_name("exhibitors", topic)
            peak, stop = [0], asyncio.Event()

            async def sample() -> None:
                while not stop.is_set():
                    peak[0] = max(peak[0], await backlog(pool, name))
                    await asyncio.sleep(0.1)  # a sampling interval, not a wait

            sampling = asyncio.create_task(sample())
            started, loads = time.perf_counter(), []
            processes = {"api": api_process.pid, "relay": relay.pid}
            for r in range(rounds):
                async with (
                    profiling(api_process.pid if r == 0 else None, "1-append"),
                    cpu(processes, {"pg": url}) as used,
                ):
                    load = await wrk(
                        f"http://127.0.0.1:{port}/applications",
                        seconds=seconds,
                        connections=concurrency,
                        method="POST",
                        expect=201,
                        body=json.dumps(application(f"{r}-{{n}}")),
                        headers=(f"Authorization: {service_bearer(seconds * rounds)}",),
                    )
                loads.append(_closed_loop(load, used))
            await until(lambda: _drained(pool, name), within=600)
            drained = time.perf_counter() - started
            stop.set()
            await sampling
            events = await pool.fetchval("SELECT count(*) FROM events")
            await pool.close()
    appends = median("1 append", "cmd/s", loads, target="≥1,500 cmd/s, p99 ≤25 ms")
    relay_rate = events / drained  # one figure over every round: the backlog they left
    relayed = Figure(
        "2 relay",
        relay_rate,
        "events/s",
        target="backlog bounded",
        extra={"peak_backlog": peak[0], "drained_s": round(drained, 2)},
        rounds=[relay_rate],
    )
    return appends, relayed, topic, events


def _closed_loop(load: dict[str, float], used: Usage) -> Round:
    """A wrk run's rate, latency and CPU per request (wrk's own included)."""
    used.seconds["wrk"] = load["cpu_s"]
    extra = {**latency(load), "requests": load["requests"], **used.per(load["requests"])}
    return load["requests"] / load["seconds"], extra


async def full_outbox(
    kafka: KafkaSettings, url: str, streams: int, logs: Path
) -> tuple[Round, Round]:
    """S_store (stores.store_append) into the database at `url`, then 2 (a full outbox):
    the relay publishing all of it. A transaction opened before the appends and held
    until the relay has started keeps them behind the relay's fence (pgstore.py); its
    commit (with the event store's wake-up notification) releases them all at once, and
    the relay is timed from there to an empty outbox."""
    topic = await stack.topic(kafka, "outbox")
    env = {"PAVILION_EXHIBITORS_DATABASE_URL": url, "PAVILION_EXHIBITORS_TOPIC": topic}
    name = relay_name("exhibitors", topic)
    fence = await asyncpg.connect(url)
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        held = fence.transaction()
        await held.start()
        await fence.execute("SELECT pg_current_xact_id()")  # older than every append
        store = await stores.store_append(url, streams)
        log = logs / f"outbox-relay-{topic}.log"
        async with stack.process(["-m", "exhibitors", "relay"], env, None, log) as relay:
            await until(lambda: _in_office(pool, name), within=120)
            async with cpu({"relay": relay.pid}, {"pg": url}) as used:
                await fence.execute(f"SELECT pg_notify('{NOTIFY_CHANNEL}', '')")
                await held.commit()
                started = time.perf_counter()
                await until(lambda: _drained(pool, name), within=3600)
                seconds = time.perf_counter() - started
    finally:
        await pool.close()
        await fence.close()
    extra = {"events": streams, "seconds": round(seconds, 2), **used.per(streams)}
    return store, (streams / seconds, extra)


async def _in_office(pool: asyncpg.Pool, relay: str) -> bool:
    """The relay has taken office (and found nothing it may publish yet)."""
    try:
        return bool(
            await pool.fetchval("SELECT true FROM relay_checkpoints WHERE name = $1", relay)
        )
    except asyncpg.UndefinedTableError:
        return False


async def _drained(pool: asyncpg.Pool, relay: str) -> bool:
    return await backlog(pool, relay) == 0


async def replay_and_query(
    kafka: KafkaSettings,
    topic: str,
    history: int,
    seconds: float,
    rounds: int,
    logs: Path,
    projectors: tuple[int, ...] = (1,),
) -> list[Figure]:
    """4: `history` more events are put on `topic` (which holds scenario 1's), then for
    each count in `projectors`, `rounds` times, that many gateway projector processes
    (one group) replay it all from offset 0 into a fresh read model. 5: on the last
    one (vacuumed and analysed), the gateway's page of 50 exhibitors with contacts,
    booth and source interest, uncached and cached, and the edition dashboard, and
    PostGraphile's nearest equivalents, each `rounds` times for `seconds` at 16
    concurrent clients, interleaved."""
    await produce(kafka, topic, history)
    events = sum(
        e - s for s, e in (await offset_ranges(kafka, await partitions(kafka, [topic]))).values()
    )
    figures, count = [], 0
    for n in projectors:
        replays = []
        for r in range(rounds):
            count += 1
            last = count == len(projectors) * rounds
            async with stack.database(f"readmodel{count}") as url:
                env = {
                    **STORY,
                    "PAVILION_GATEWAY_DATABASE_URL": url,
                    "PAVILION_GATEWAY_TOPICS": topic,
                    "PAVILION_GATEWAY_GROUP": f"{topic}.bench{count}",
                    "PAVILION_JWT_SECRET": JWT_SECRET,
                }
                profile = "4-replay" if r == 0 and n == 1 else None
                replays.append(await replay(env, url, events, n, profile, logs))
                if last:
                    queries = await _queries(env, url, seconds, rounds, logs)
        name = "4 replay" if n == 1 else f"4 replay x{n}"
        target = "≥15,000 events/s" if n == 1 else "faster than one process"
        figures.append(median(name, "events/s", replays, target=target))
    return [*figures, *queries]


async def replay(
    env: dict[str, str], url: str, events: int, processes: int, profile: str | None, logs: Path
) -> Round:
    """`processes` projectors (one consumer group) from offset 0 until they have applied
    all `events`; timed from the first applied batch (start-up is not replay)."""
    group = env["PAVILION_GATEWAY_GROUP"]
    async with AsyncExitStack() as running:
        pids = {}
        for i in range(processes):
            log = logs / f"gateway-projector-{group}-{i}.log"
            started = stack.process(["-m", "gateway", "projector"], env, None, log)
            pids[f"projector{i}" if processes > 1 else "projector"] = (
                await running.enter_async_context(started)
            ).pid
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        try:
            await until(lambda: _applied(pool, group, 1), within=120)
            first = await applied(pool, group)
            async with (
                profiling(pids.get("projector") if profile else None, profile or ""),
                cpu(pids, {"pg": url}) as used,
            ):
                started_at = time.perf_counter()
                await until(lambda: _applied(pool, group, events), within=3600, interval=0.1)
                replayed = time.perf_counter() - started_at
        finally:
            await pool.close()
    extra = {"events": events, "replay_s": round(replayed, 2), **used.per(events - first)}
    return (events - first) / replayed, extra


async def _queries(
    env: dict[str, str], url: str, seconds: float, rounds: int, logs: Path
) -> list[Figure]:
    """5 and its peer, on the read model at `url` (vacuumed and analysed first)."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    port = stack.free_port()
    env = {**env, "PAVILION_GATEWAY_PORT": str(port)}
    async with (
        _editions(env, logs) as editions,
        stack.process(
            ["-m", "gateway", "api"],
            env,
            f"http://127.0.0.1:{port}/readyz",
            logs / "gateway-api.log",
        ) as gateway,
        postgraphile(url, logs) as (peer_port, peer_pid),
    ):
        ours = f"http://127.0.0.1:{port}/graphql"
        theirs = f"http://127.0.0.1:{peer_port}/graphql"
        auth = f"Authorization: {bearer()}"
        uncached = ("Cache-Control: no-cache", auth)
        processes = {"gateway": gateway.pid, "editions": editions}
        runs: list[tuple[str, str, str, tuple[str, ...], dict[str, int | None]]] = [
            ("5 query page", ours, PAGE, uncached, processes),
            ("5 query page cached", ours, PAGE, (auth,), processes),
            ("5 dashboard", ours, DASHBOARD, uncached, processes),
            ("P_postgraphile page", theirs, postgraphile_page, (), {"postgraphile": peer_pid}),
            (
                "P_postgraphile dashboard",
                theirs,
                postgraphile_dashboard,
                (),
                {"postgraphile": peer_pid},
            ),
        ]
        found: dict[str, list[Round]] = {name: [] for name, *_ in runs}
        for r in range(rounds):
            for name, endpoint, query, headers, pids in runs:
                body = json.dumps({"query": query})
                if name.endswith("cached"):  # the response is in the cache before the load
                    await warm(endpoint, body, headers)
                profile = "5-query-page" if r == 0 and name == "5 query page" else None
                async with (
                    profiling(gateway.pid if profile else None, profile or ""),
                    cpu(pids, {"pg": url}) as used,
                ):
                    load = await wrk(
                        endpoint,
                        seconds=seconds,
                        connections=16,
                        method="POST",
                        body=body,
                        headers=headers,
                    )
                found[name].append(_closed_loop(load, used))
    targets = {
        "5 query page": "≥1.0x PostGraphile",
        "5 query page cached": "≥3x PostGraphile",
        "5 dashboard": "≥500 req/s",
    }
    return [median(name, "req/s", found[name], targets.get(name, "")) for name in found]


JWT_SECRET = "bench-secret-of-at-least-thirty-two-characters"
PAGE = """{ exhibitors(edition: "CISCE-2026", first: 50) { totalCount edges { node {
  companyName contacts { name email } booth { code hall } sourceInterest { stage } } } } }"""
DASHBOARD = """{ editionDashboard(edition: "CISCE-2026") { totalExhibitors foreignShare
  exhibitorsByStatus { key count } boothsFree boothsTaken } }"""


async def warm(url: str, body: str, headers: tuple[str, ...]) -> None:
    """One request, answered without errors."""
    sent = dict(h.split(": ", 1) for h in ("Content-Type: application/json", *headers))
    async with httpx.AsyncClient() as http:
        response = await http.post(url, content=body, headers=sent)
    if response.status_code != 200 or "errors" in response.json():
        raise LoadError(f"{url}: {response.status_code} {response.text[:500]}")


@asynccontextmanager
async def _editions(env: dict[str, str], logs: Path) -> AsyncIterator[int | None]:
    """An exhibitors API for the editions the dashboard reads (its data is not used);
    yields its pid. Sets the gateway's PAVILION_EXHIBITORS_URL in `env`."""
    port = stack.free_port()
    env["PAVILION_EXHIBITORS_URL"] = f"http://127.0.0.1:{port}"
    own = {**env, "PAVILION_EXHIBITORS_PORT": str(port)}
    async with stack.database("editions") as url:
        own["PAVILION_EXHIBITORS_DATABASE_URL"] = url
        ready = f"http://127.0.0.1:{port}/readyz"
        log = logs / "editions.log"
        async with stack.process(["-m", "exhibitors", "api"], own, ready, log) as api:
            yield api.pid


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
