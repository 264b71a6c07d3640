"""PostgreSQL: pools opened with their migrations applied, and the migration runner.

A migration set is a package directory of `NNN_name.sql` files under a namespace;
each file runs once, in its own transaction, under an advisory lock so that
instances starting together do not race.
"""

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, TypeAlias

import asyncpg
from asyncpg.pool import PoolConnectionProxy

Connection: TypeAlias = "asyncpg.Connection[asyncpg.Record] | PoolConnectionProxy[asyncpg.Record]"
Pool: TypeAlias = "asyncpg.Pool[asyncpg.Record]"

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
_LOCK = "SELECT pg_advisory_xact_lock(hashtext('pavilion.migrations'))"
CONNECT_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class MigrationSet:
    namespace: str
    package: str
    directory: str

    def scripts(self) -> list[tuple[int, str, str]]:
        root = files(self.package).joinpath(self.directory)
        found = []
        for entry in root.iterdir():
            if match := _NAME.match(entry.name):
                found.append((int(match.group(1)), entry.name, entry.read_text()))
        return sorted(found)


EVENT_STORE = MigrationSet("eventstore", "pavilion_core", "sql/eventstore")
CONSUMER = MigrationSet("consumer", "pavilion_core", "sql/consumer")


async def migrate(conn: Connection, *sets: MigrationSet) -> list[str]:
    """Apply what is missing; returns the names applied."""
    async with conn.transaction():  # under the lock: two processes starting at once race
        await conn.execute(_LOCK)  # on CREATE TABLE IF NOT EXISTS otherwise
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                 namespace text NOT NULL, version int NOT NULL, name text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now(),
                 PRIMARY KEY (namespace, version))"""
        )
    applied = []
    for migration_set in sets:
        for version, name, sql in migration_set.scripts():
            async with conn.transaction():
                await conn.execute(_LOCK)
                done = await conn.fetchval(
                    "SELECT 1 FROM schema_migrations WHERE namespace = $1 AND version = $2",
                    migration_set.namespace,
                    version,
                )
                if done:
                    continue
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (namespace, version, name) VALUES ($1, $2, $3)",
                    migration_set.namespace,
                    version,
                    name,
                )
                applied.append(f"{migration_set.namespace}/{name}")
                log.info("migration applied", extra={"migration": applied[-1]})
    return applied


async def _as_left(conn: object) -> None:
    """A release that sends nothing: asyncpg has already rolled back an open
    transaction and dropped the connection's listener callbacks."""


async def open_pool(
    url: str,
    *migrations: MigrationSet,
    size: int = 10,
    setup: Callable[[Any], Awaitable[None]] | None = None,
    settings: dict[str, str] | None = None,
    reset_sessions: bool = True,
    lazy: bool = False,
) -> Pool:
    """Connect and apply what is missing (idempotent, safe for several instances at once).
    `setup` runs on each connection as it is acquired; `settings` are its server settings.

    A connection goes back to the pool reset (asyncpg's reset query: advisory locks
    released, UNLISTEN, RESET ALL, cursors closed), one more round trip per use. With
    `reset_sessions=False` it goes back as it is: for pools whose users leave no session
    state behind, or undo it themselves (the event store's, whose relay unlocks and
    unlistens — and closes a connection it could not clean).

    A `lazy` pool connects on first use, not now: it opens while the database is away
    (its users then find it away), and keeps no idle connection for long."""
    assert not (lazy and migrations), "a lazy pool migrates nothing"
    pool = await asyncpg.create_pool(
        url,
        min_size=0 if lazy else 1,
        max_size=size,
        setup=setup,  # type: ignore[arg-type]
        reset=None if reset_sessions else _as_left,
        server_settings=settings,
        timeout=CONNECT_TIMEOUT_SECONDS,  # a server that does not answer is down, not slow
    )
    if migrations:  # none: the tables are someone else's to make (the vault's)
        async with pool.acquire() as conn:
            await migrate(conn, *migrations)
    return pool
