"""A figure read from each of some services' databases, side by side."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import asyncpg
from pavilion_core.config import database_url

T = TypeVar("T")


async def each(
    services: Sequence[str], figure: Callable[[asyncpg.Connection, str], Awaitable[T]]
) -> dict[str, T | str]:
    """`figure` of each service's database, or why it could not be read."""

    async def one(service: str) -> T | str:
        try:
            conn = await asyncpg.connect(database_url(service), timeout=5)
        except (OSError, asyncpg.PostgresError) as exc:
            return f"unreachable ({type(exc).__name__})"
        try:
            return await figure(conn, service)
        except asyncpg.UndefinedTableError:
            return "not migrated yet"
        finally:
            await conn.close()

    answers = await asyncio.gather(*(one(s) for s in services))
    return dict(zip(services, answers, strict=True))
