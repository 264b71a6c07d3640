"""Scenario 7, scale-out: one instance of the gateway's projector and of its API against
two, in the same run, the two topologies interleaved (one, two; two, one; one, two…:
an even number of rounds, each order as often) so that a neighbour's load, rising or
falling, falls on both alike; each round records the machine's 1-minute load average.

* Projector: the history (bench/history.py) on a fresh topic of the default partition
  count, replayed from offset 0 into a fresh read model by one projector process, then
  by two in one consumer group (they split the partitions), timed as scenario 4 times
  it.
* API: on the last read model (vacuumed and analysed), two `gateway api` instances,
  each one process (`PAVILION_GATEWAY_WORKERS=1`) on its own port. The client is the
  same in both topologies: two wrk processes of 8 connections each, at once; with one
  instance both aim at the first, with two each at its own. The query is the page of
  50 exhibitors of one history edition (500 applications), uncached
  (`Cache-Control: no-cache`) and from the response cache.

Also the sizes the capacity model (docs/scaling.md) scales: bytes per event in an event
store (the same history appended through pavilion_core's EventStore, sealed, with its
indexes; and the part of it that is the events' data and metadata columns), in the
vault (per sealed stream), on the topic (key, value and headers as
produced) and in the read model (every table with its indexes, per replayed event)."""

import asyncio
import json
import os
import statistics
from contextlib import AsyncExitStack
from itertools import groupby
from pathlib import Path

import asyncpg
from pavilion_contracts.personal import declaration
from pavilion_core.config import KafkaSettings, vault_url
from pavilion_core.db import EVENT_STORE, open_pool
from pavilion_core.envelope import Metadata, NewEvent
from pavilion_core.personal import open_sealer
from pavilion_core.pgstore import EventStore

from bench import history, stack
from bench.cpu import cpu
from bench.load import wrk
from bench.measure import Figure, Round, latency, median
from bench.scenarios import JWT_SECRET, STORY, bearer, replay, warm

TOPOLOGIES = (1, 2)  # instances of each process, in the order every round runs them
STORE_EVENTS = 20_000  # at most, appended to measure an event store's bytes per event
PAGE = """{ exhibitors(edition: "BENCH-0001", first: 50) { totalCount edges { node {
  companyName contacts { name email } booth { code hall } sourceInterest { stage } } } } }"""
SIZES = """SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'm', 'p')
             AND n.nspname NOT IN ('pg_catalog', 'information_schema')
             AND n.nspname NOT LIKE 'pg_toast%'"""


async def scale_out(
    kafka: KafkaSettings, events: int, seconds: float, rounds: int, logs: Path
) -> list[Figure]:
    """Scenario 7's figures: replay and page, each with one instance and with two (the
    latter against the former), and the sizes in the details of `7 sizes`."""
    topic = await stack.topic(kafka, "scaleout")
    topic_bytes = await history.produce(kafka, topic, events)
    replays: dict[int, list[Round]] = {n: [] for n in TOPOLOGIES}
    pages: dict[str, list[Round]] = {}
    sizes: dict[str, float] = {"topic_bytes_per_event": round(topic_bytes / events)}
    rounds = rounds if rounds == 1 else rounds + rounds % 2  # as many rounds of each order
    for r in range(rounds):
        for n in _order(r):
            group = f"{topic}.r{r}x{n}"
            async with stack.database(f"scaleout_r{r}x{n}") as url:
                env = {
                    **STORY,
                    "PAVILION_GATEWAY_DATABASE_URL": url,
                    "PAVILION_GATEWAY_TOPICS": topic,
                    "PAVILION_GATEWAY_GROUP": group,
                    "PAVILION_JWT_SECRET": JWT_SECRET,
                    "PAVILION_GATEWAY_WORKERS": "1",
                }
                value, extra = await replay(env, url, events, n, None, logs)
                replays[n].append((value, {**extra, "load1": _load()}))
                if r == rounds - 1 and n == _order(r)[-1]:
                    sizes["readmodel_bytes_per_event"] = round(await _bytes(url) / events)
                    pages = await _pages(env, url, seconds, rounds, logs)
    sizes.update(await _store_bytes(min(events, STORE_EVENTS)))
    figures = [*_paired("7 replay", "events/s", replays), *_pages_figures(pages)]
    read_model = sizes["readmodel_bytes_per_event"]  # the figure; the other sizes its details
    figures.append(Figure("7 sizes", read_model, "B/event", extra=sizes, rounds=[read_model]))
    return figures


def _paired(name: str, unit: str, found: dict[int, list[Round]]) -> list[Figure]:
    """`<name> x1` and `<name> x2`, the latter against the former, with the median of
    the rounds' own ratios (two against one in the same round) in its details."""
    one, two = (median(f"{name} x{n}", unit, found[n]) for n in TOPOLOGIES)
    two.baseline, two.baseline_value = one.name, one.value
    ratios = [b / a for a, b in zip(one.rounds, two.rounds, strict=True)]
    two.extra = {**two.extra, "paired_ratio": round(statistics.median(ratios), 3)}
    return [one, two]


def _pages_figures(pages: dict[str, list[Round]]) -> list[Figure]:
    figures = []
    for name in ("7 page", "7 page cached"):
        figures += _paired(name, "req/s", {n: pages[f"{name} x{n}"] for n in TOPOLOGIES})
    return figures


def _order(r: int) -> tuple[int, ...]:
    """Round `r`'s order of the topologies: one then two, then two then one, and so on
    (ABBA), so that a load rising or falling through the run favours neither."""
    return TOPOLOGIES if r % 2 == 0 else TOPOLOGIES[::-1]


def _load() -> float:
    return round(os.getloadavg()[0], 2)


async def _bytes(url: str) -> int:
    """Every table of the database at `url` with its indexes and TOAST, in bytes."""
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(SIZES))
    finally:
        await conn.close()


async def _pages(
    env: dict[str, str], url: str, seconds: float, rounds: int, logs: Path
) -> dict[str, list[Round]]:
    """The page, uncached and cached, on one API instance and on two, interleaved."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    found: dict[str, list[Round]] = {}
    auth = f"Authorization: {bearer()}"
    async with AsyncExitStack() as running:
        endpoints, pids = [], {}
        for i in range(max(TOPOLOGIES)):
            port = stack.free_port()
            started = stack.process(
                ["-m", "gateway", "api"],
                {**env, "PAVILION_GATEWAY_PORT": str(port)},
                f"http://127.0.0.1:{port}/readyz",
                logs / f"scaleout-gateway-api-{i}.log",
            )
            pids[f"gateway{i}"] = (await running.enter_async_context(started)).pid
            endpoints.append(f"http://127.0.0.1:{port}/graphql")
        body = json.dumps({"query": PAGE})
        uncached = ("Cache-Control: no-cache", auth)
        for endpoint in endpoints:  # a second of load on each first: pools, plans, buffers
            await wrk(
                endpoint, seconds=1, connections=8, method="POST", body=body, headers=uncached
            )
        for r in range(rounds):
            for name, headers in (
                ("7 page", uncached),
                ("7 page cached", (auth,)),
            ):
                for n in _order(r):
                    targets = [endpoints[i % n] for i in range(2)]  # the two wrk processes'
                    for endpoint in set(targets):
                        await warm(endpoint, body, headers)
                    async with cpu(pids, {"pg": url}) as used:
                        loads = await asyncio.gather(
                            *(
                                wrk(
                                    endpoint,
                                    seconds=seconds,
                                    connections=8,
                                    method="POST",
                                    body=body,
                                    headers=headers,
                                )
                                for endpoint in targets
                            )
                        )
                    requests = sum(load["requests"] for load in loads)
                    used.seconds["wrk"] = sum(load["cpu_s"] for load in loads)
                    slowest = max(loads, key=lambda load: load["p99_ms"])
                    extra = {
                        **latency(slowest),
                        "requests": requests,
                        **used.per(requests),
                        "load1": _load(),
                    }
                    rate = sum(load["requests"] / load["seconds"] for load in loads)
                    found.setdefault(f"{name} x{n}", []).append((rate, extra))
    return found


async def _store_bytes(events: int) -> dict[str, float]:
    """The history's first `events` appended through the event store (sealed, a life
    per append) into a scratch database: bytes per event there, and per stream in the
    run's vault (what sealing them added)."""
    async with stack.database("scaleout_store") as url:
        vault = vault_url(url)
        vault_before = await _bytes(vault)
        pool = await open_pool(url, EVENT_STORE, size=8)
        sealer = await open_sealer(url, declaration(), writes=True)
        store = EventStore(pool, sealer)
        metadata = Metadata(correlation_id="bench-sizes", actor="bench")
        lives = iter(
            [list(life) for _, life in groupby(history.events(events), lambda e: e.stream_id)]
        )

        async def writer() -> None:
            for life in lives:
                new = [NewEvent(e.type, e.data) for e in life]
                await store.append(life[0].stream_id, new, expected_version=0, metadata=metadata)

        try:
            await asyncio.gather(*(writer() for _ in range(8)))
        finally:
            await pool.close()
            await sealer.close()
        store_bytes = await _bytes(url)
        conn = await asyncpg.connect(url)
        try:
            payload = await conn.fetchval(
                "SELECT avg(pg_column_size(data) + pg_column_size(metadata)) FROM events"
            )
        finally:
            await conn.close()
        streams = -(-events // 7)
        vault_bytes = await _bytes(vault) - vault_before
    return {
        "store_bytes_per_event": round(store_bytes / events),
        "store_payload_bytes_per_event": round(payload),  # its data and metadata columns
        "vault_bytes_per_stream": round(vault_bytes / streams),
    }
