"""Answers as they were at a past moment (`asOf`), computed from the events.

The read model as of T is made on one connection of the API's pool, in one transaction
that is rolled back when the request's execution ends: an empty temporary copy of each
table of the current generation (found in the catalog, so that a table a later
migration adds is covered), pg_temp first on the search_path, and the timeline's events
that occurred at or before T replayed into them through the projector's own appliers.
The very resolvers of today's answer then run on that connection — the field that asked
and every field under it (`PastExtension`), on a clock standing at T.

The timeline holds only what the read model still holds: personal data erased since T
stays erased (a forgotten person's values are gone from its entries, and read as null
here, as a replay of the topics reads them once the person's key is destroyed). The
viewer's rights are today's: an answer as of T goes through the same policy.

The whole replay gets the request's statement timeout; past it, the answer is refused
(QUERY_TIMEOUT) and the connection handed back.
"""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from copy import copy
from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, cast

import asyncpg
import orjson
import strawberry
from graphql import GraphQLError, GraphQLResolveInfo
from graphql.pyutils import Path
from pavilion_contracts.personal import declaration
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent
from pavilion_core.personal import erased_as_null
from strawberry.extensions import SchemaExtension

from gateway.context import Context
from gateway.loaders import Loaders
from gateway.projector import APPLIERS, Projector
from gateway.relay import BadInput

AS_OF = Annotated[
    datetime | None,
    strawberry.argument(
        description="The answer as it was at this moment (with its UTC offset; not later "
        "than now), computed from the events that had occurred by then: costly (see "
        "the API's cost limits); personal data erased since stays erased."
    ),
]
# the timeline keeps an event's short type; the projector dispatches on its full type
# (the latest version: the timeline's data is upcast already)
FULL_TYPES = {name.split(".")[2]: name for name in APPLIERS}
_TABLES = "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename"
_EVENTS = """SELECT event_id, subject_id, type, stream_version, occurred_at, recorded_at,
                    actor, correlation_id, data
             FROM {schema}.timeline WHERE occurred_at <= $1
             ORDER BY subject_id, stream_version"""


class TooCostly(GraphQLError):
    def __init__(self, at: datetime, seconds: float) -> None:
        super().__init__(
            f"the answer as of {at.isoformat()} takes longer than the {seconds:g} s a query "
            "may run; ask for a moment with less history, or fewer fields as of a moment",
            extensions={"code": "QUERY_TIMEOUT"},
        )


def checked(at: datetime, now: datetime, field: str = "asOf") -> datetime:
    """`at` if it is an instant (with its offset) not later than `now`."""
    if at.tzinfo is None:
        raise BadInput("a moment needs its UTC offset (e.g. 2026-06-22T09:00:00+08:00)", field)
    try:
        at.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00: before the year 1 in UTC
        raise BadInput("a moment out of range", field) from None
    if at > now:
        raise BadInput("a moment not yet come has no answer: ask for now or earlier", field)
    return at


async def answering(info: strawberry.Info[Context, None], at: datetime | None) -> Context:
    """The context the root field at `info` answers with: the request's own, or for
    `at`, one that reads the read model as of `at` — for every field under it too."""
    ctx: Context = info.context
    if at is None:
        return ctx
    past = await past_context(ctx, checked(at, ctx.services.clock.now()))
    ctx.pasts[str(info.path.key)] = past  # a root field: its response key
    return past


async def past_context(ctx: Context, at: datetime) -> Context:
    """A context of the same viewer reading the read model as of `at`: one per request
    and moment, closed when the request's execution ends (`held`)."""
    key = f"@{at.astimezone(UTC).isoformat()}"  # beside the fields': no GraphQL name has an @
    if key not in ctx.pasts:
        ctx.pasts[key] = await opened_past(ctx, at, ctx.held)
    return ctx.pasts[key]


async def opened_past(ctx: Context, at: datetime, held: AsyncExitStack) -> Context:
    """A context reading the read model as of `at` until `held` closes: one of the
    process's replays (Limits.past_replays), waited for no longer than a statement may
    run, so that answers as of a moment never take all of the pool's connections."""
    seconds = ctx.services.limits.statement_seconds
    await held.enter_async_context(_replay_slot(ctx.services.replays, seconds))
    conn = await held.enter_async_context(_rolled_back(ctx.pool))
    try:
        async with asyncio.timeout(seconds):
            await replay_until(conn, at)
    except TimeoutError:
        raise TooCostly(at, seconds) from None
    return _derived(ctx, PastConnection(conn), at)


async def replay_until(conn: Connection, at: datetime) -> None:
    """In `conn`'s transaction: the current generation's tables as temporary copies
    holding what the events up to `at` make of them."""
    schema = await conn.fetchval("SELECT current_schema()")
    tables = [r["tablename"] for r in await conn.fetch(_TABLES, schema)]
    await conn.execute(
        ";".join(
            f"CREATE TEMP TABLE {t} (LIKE {schema}.{t} INCLUDING ALL) ON COMMIT DROP"
            for t in tables
        )
    )
    rows = await conn.fetch(_EVENTS.format(schema=schema), at)
    await conn.execute(f"SET LOCAL search_path TO pg_temp, {schema}, public")
    await Projector(announce=False).batch(conn, [event_of(row) for row in rows])


def event_of(row: asyncpg.Record) -> CloudEvent:
    """A timeline row as the event the projector applied."""
    full = FULL_TYPES[row["type"]]
    event = CloudEvent(
        id=str(row["event_id"]),
        source=f"/pavilion/{full.split('.')[1]}",
        type=full,
        subject=row["subject_id"],
        time=row["occurred_at"],
        recorded_time=row["recorded_at"],
        data=orjson.loads(row["data"]),
        stream_version=row["stream_version"],
        correlation_id=row["correlation_id"],
        causation_id=None,
        actor=row["actor"],
    )
    rules = declaration().get(f"{event.event_type}.v{event.schema_version}", ())
    return replace(event, data=erased_as_null(rules, event.data)) if rules else event


class Busy(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "too many answers as of a moment are being computed at once; retry shortly",
            extensions={"code": "BUSY"},
        )


@asynccontextmanager
async def _replay_slot(replays: asyncio.Semaphore, seconds: float) -> AsyncIterator[None]:
    try:
        async with asyncio.timeout(seconds):
            await replays.acquire()
    except TimeoutError:
        raise Busy() from None
    try:
        yield
    finally:
        replays.release()


@asynccontextmanager
async def _rolled_back(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            yield conn
        finally:
            try:
                await transaction.rollback()
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                conn.terminate()  # cut off mid-statement (timed out): not handed back


class PastConnection:
    """One connection standing in for the pool: the fields of a request run
    concurrently, a connection runs one statement at a time."""

    def __init__(self, conn: Connection) -> None:
        self._conn, self._lock = conn, asyncio.Lock()

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[Connection]:
        async with self._lock:
            yield self._conn

    async def fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        async with self._lock:
            return await self._conn.fetch(query, *args)

    async def fetchrow(self, query: str, *args: object) -> asyncpg.Record | None:
        async with self._lock:
            return await self._conn.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: object) -> Any:
        async with self._lock:
            return await self._conn.fetchval(query, *args)


class _Stopped:
    """The services' clock standing at the moment asked for."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def _derived(ctx: Context, conn: PastConnection, at: datetime) -> Context:
    services = copy(ctx.services)
    services.pool = cast(asyncpg.Pool, conn)  # what the resolvers use of a pool
    services.clock = _Stopped(at)
    past = copy(ctx)
    past.services, past.pasts = services, {}
    past.loaders = Loaders(services.pool)
    return past


def _root_key(path: Path) -> str:
    while path.prev is not None:
        path = path.prev
    return str(path.key)


Next = Callable[..., Awaitable[object] | object]


class PastExtension(SchemaExtension):
    """Every field under a root field asked `asOf` answers from that field's past
    context; the pasts are closed (rolled back, handed back) when execution ends."""

    async def on_execute(self) -> AsyncIterator[None]:
        try:
            yield
        finally:
            ctx = self.execution_context.context
            if isinstance(ctx, Context):
                await ctx.held.aclose()
                ctx.pasts.clear()

    def resolve(
        self,
        _next: Next,
        root: object,
        info: GraphQLResolveInfo[Any],
        *args: object,
        **kwargs: object,
    ) -> Awaitable[object] | object:
        pasts = getattr(info.context, "pasts", None)
        if pasts and info.path.prev is not None and (past := pasts.get(_root_key(info.path))):
            info = info._replace(context=past)
        return _next(root, info, *args, **kwargs)
