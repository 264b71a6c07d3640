"""Appends without HTTP: the `eventsourcing` library's PostgreSQL store (P_eventsourcing),
Pavilion's event store (S_store), and single-row commits into an events-shaped table
with and without pg_notify (B_commit): the machine's commit ceiling.

Every writer appends new streams of one event shaped as an ApplicationSubmitted (the
history's first event, ~500 B of JSON), 8 writers at once, synchronous_commit on."""

import asyncio
import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from pavilion_contracts.personal import declaration
from pavilion_core.config import vault_url
from pavilion_core.db import EVENT_STORE, Pool, open_pool
from pavilion_core.envelope import Metadata, NewEvent
from pavilion_core.personal import open_sealer
from pavilion_core.pgstore import EventStore

from bench import stack
from bench.cpu import cpu
from bench.history import life
from bench.measure import Round

WRITERS = 8


def submitted(n: int) -> dict[str, Any]:
    """Application `n`'s ApplicationSubmitted data."""
    return dict(life(n)[0][1])


class Submission(Aggregate):
    """The eventsourcing library's aggregate of one application: created by its one
    event, which holds the same fields as an ApplicationSubmitted."""

    @event("ApplicationSubmitted")
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


async def eventsourcing_append(streams: int) -> Round:
    """P_eventsourcing: `streams` new aggregates of one event, saved by 8 threads
    through one Application on its PostgreSQL persistence module (psycopg, its pool)."""
    async with stack.database("eventsourcing") as url:
        parts = urlsplit(url)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": parts.path.lstrip("/"),
            "POSTGRES_HOST": parts.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(parts.port or 5432),
            "POSTGRES_USER": parts.username or "postgres",
            "POSTGRES_PASSWORD": parts.password or "",
            "POSTGRES_POOL_SIZE": str(WRITERS),
        }
        app = Application[uuid.UUID](env=env)
        counter = iter(range(streams))
        lock = threading.Lock()

        def writer() -> None:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                app.save(Submission(submitted(n)))

        try:
            async with cpu({}, {"pg": url}, own=True) as used:
                started = time.perf_counter()
                await asyncio.gather(*(asyncio.to_thread(writer) for _ in range(WRITERS)))
                seconds = time.perf_counter() - started
        finally:
            app.close()
    return streams / seconds, {"events": streams, **used.per(streams)}


async def store_append(url: str, streams: int, *, sealed: bool = True) -> Round:
    """S_store: `streams` new streams of one event through pavilion_core's EventStore
    into the database at `url`, 8 writers on one asyncio loop. Personal values are
    sealed through the run's vault, as the exhibitors API does (a key per new stream:
    another commit, in the vault's database) — or, not `sealed`, declared as none (the
    `eventsourcing` library's events are stored in the clear). Leaves the outbox full."""
    pool = await open_pool(url, EVENT_STORE, size=WRITERS)
    sealer = await open_sealer(url, declaration() if sealed else {}, writes=True)
    store = EventStore(pool, sealer)
    metadata = Metadata(correlation_id="bench-store", actor="bench")
    counter = iter(range(streams))

    async def writer() -> None:
        for n in counter:
            stream = str(uuid.uuid4())
            data = {"applicationId": stream, **submitted(n)}
            events = [NewEvent("ApplicationSubmitted", data)]
            await store.append(stream, events, expected_version=0, metadata=metadata)

    try:
        # the vault's backends too: sealing is part of the store's work
        databases = {"pg": url, **({"pg_vault": vault_url(url)} if sealed else {})}
        async with cpu({}, databases, own=True) as used:
            started = time.perf_counter()
            await asyncio.gather(*(writer() for _ in range(WRITERS)))
            seconds = time.perf_counter() - started
    finally:
        await pool.close()
        await sealer.close()
    return streams / seconds, {"events": streams, **used.per(streams)}


EVENTS_TABLE = """CREATE TABLE events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE, stream_id text NOT NULL, version integer NOT NULL,
    type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(), UNIQUE (stream_id, version));
CREATE INDEX events_relay_order ON events (xid, position)"""
INSERT = """INSERT INTO events (event_id, stream_id, version, type, data, metadata)
            VALUES ($1, $2, 1, 'ApplicationSubmitted', $3::jsonb, '{}'::jsonb)"""
# the same insert and, in its transaction, a notification (as the event store's append)
NOTIFYING = f"WITH inserted AS ({INSERT} RETURNING 1) SELECT pg_notify('bench', '')"


async def commits(seconds: float, notify: bool) -> Round:
    """B_commit (notify): for `seconds`, 8 connections each committing one row at a time
    into an events-shaped, indexed table — one statement, its own transaction — with
    pg_notify in the transaction or without."""
    data = json.dumps(submitted(0))
    async with stack.database("commit_notify" if notify else "commit") as url:
        pool: Pool = await asyncpg.create_pool(url, min_size=WRITERS, max_size=WRITERS)
        try:
            await pool.execute(EVENTS_TABLE)
            deadline = time.perf_counter() + seconds
            statement = NOTIFYING if notify else INSERT

            async def writer(w: int) -> int:
                done = 0
                async with pool.acquire() as conn:
                    while time.perf_counter() < deadline:
                        await conn.execute(statement, uuid.uuid4(), f"{w}-{done}", data)
                        done += 1
                return done

            async with cpu({}, {"pg": url}) as used:
                started = time.perf_counter()
                rows = sum(await asyncio.gather(*(writer(w) for w in range(WRITERS))))
                took = time.perf_counter() - started
        finally:
            await pool.close()
    return rows / took, {"rows": rows, **used.per(rows)}
