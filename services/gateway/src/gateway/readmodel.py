"""The read model lives in generations, each a PostgreSQL schema `read_model_<n>` with
all of the gateway's tables, and one of them is current.

The projector writes into the current generation: each batch reads the pointer under a
share lock and sets its search_path. Queries read the current generation: the API's
pool sets the search_path as a connection is acquired. A rebuild fills a fresh
generation from offset 0 and moves the pointer in one transaction (rebuild.py); the
generation before stays until the next rebuild, for the queries still reading it.
"""

import logging

import asyncpg
from pavilion_core.consumer import Begin
from pavilion_core.db import CONSUMER, Connection, MigrationSet, Pool, migrate, open_pool

log = logging.getLogger(__name__)
READ_MODEL = MigrationSet("read_model", "gateway", "sql")
PREFIX = "read_model_"
SWAPPED = "pavilion_read_model_swapped"  # NOTIFYed as a rebuild swaps the generation in
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('pavilion.read_model'))"


def schema_name(generation: int) -> str:
    return f"{PREFIX}{generation}"


async def prepare(conn: Connection, live_group: str) -> str:
    """Make the pointer and a first generation if there is none (the live projector then
    starts over from offset 0), and bring the current generation's tables up to date."""
    await migrate(conn, CONSUMER)
    async with conn.transaction():
        await conn.execute(_LOCK)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS read_model_current (
                 one boolean PRIMARY KEY DEFAULT true CHECK (one),
                 generation integer NOT NULL,
                 swapped_at timestamptz NOT NULL DEFAULT now())"""
        )
        generation = await conn.fetchval("SELECT generation FROM read_model_current")
        if generation is None:
            generation = 1
            await create_generation(conn, generation)
            await conn.execute("INSERT INTO read_model_current (generation) VALUES (1)")
            await conn.execute("DELETE FROM consumer_offsets WHERE group_id = $1", live_group)
        await migrate_generation(conn, generation)
    return schema_name(generation)


async def create_generation(conn: Connection, generation: int) -> str:
    schema = schema_name(generation)
    await conn.execute(f"CREATE SCHEMA {schema}")
    await migrate_generation(conn, generation)
    return schema


async def migrate_generation(conn: Connection, generation: int) -> None:
    async with conn.transaction():
        await conn.execute(f"SET LOCAL search_path TO {schema_name(generation)}, public")
        await migrate(conn, READ_MODEL)


async def generations(conn: Connection) -> list[int]:
    names = await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE $1", f"{PREFIX}%")
    return sorted(int(n["nspname"].removeprefix(PREFIX)) for n in names)


async def current_generation(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT generation FROM read_model_current"))


async def write_to_current(conn: Connection) -> None:
    """The projector's batch writes into the current generation; the share lock keeps a
    swap from moving the pointer until this batch has committed."""
    await conn.execute(
        f"""SELECT set_config('search_path', '{PREFIX}' || generation || ', public', true)
            FROM read_model_current FOR SHARE"""
    )


def write_to(generation: int) -> Begin:
    async def begin(conn: Connection) -> None:
        await conn.execute(f"SET LOCAL search_path TO {schema_name(generation)}, public")

    return begin


async def read_current(conn: Connection) -> None:
    """Pool setup of the query side: read from whatever generation is current now."""
    await conn.execute(
        f"""SELECT set_config('search_path', '{PREFIX}' || generation || ', public', false)
            FROM read_model_current"""
    )


async def prepare_at(url: str, live_group: str) -> None:
    """`prepare` the read model at `url`, on a connection of its own."""
    conn = await asyncpg.connect(url)
    try:
        await prepare(conn, live_group)
    finally:
        await conn.close()


async def open_read_pool(
    url: str,
    live_group: str,
    *,
    size: int = 10,
    statement_seconds: float | None = None,
    prepared: bool = False,
) -> Pool:
    """The query side's pool; with `statement_seconds`, no statement runs longer. One
    `prepared` already (by the supervisor of an API's workers) is lazy: a worker that
    starts while the database is away starts all the same, not ready until it is back."""
    if not prepared:
        await prepare_at(url, live_group)
    settings = (
        {"statement_timeout": f"{int(statement_seconds * 1000)}"} if statement_seconds else None
    )
    # handed back without the reset query: read_current sets the one session setting
    # this side uses on every acquire, and nothing here listens or holds a session lock
    # past its use (a rebuild unlocks its own)
    return await open_pool(
        url,
        size=size,
        setup=read_current,
        settings=settings,
        reset_sessions=False,
        lazy=prepared,
    )
