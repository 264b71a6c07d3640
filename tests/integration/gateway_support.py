"""The gateway's schema sending its commands to command APIs in process (through any
httpx transport), for tests of mutations that start no processes."""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

import asyncpg
import httpx
from gateway.auth import Role, Viewer
from gateway.commands import CommandClient
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.news import News
from pavilion_core.service_tokens import ServiceTokens

STAFF = Viewer("staff:li", Role.ORGANIZER)


@asynccontextmanager
async def gateway(
    services: Mapping[str, httpx.AsyncBaseTransport],
    pool: asyncpg.Pool | None = None,
    news: News | None = None,
    viewer: Viewer = STAFF,
) -> AsyncIterator[Context]:
    """A request context of `viewer` whose commands reach `services` (name → transport);
    without a read model (`pool`, `news`), mutations must say `wait: false`."""
    commands = CommandClient({}, ServiceTokens.from_env())
    for name, transport in services.items():
        commands.http[name] = httpx.AsyncClient(transport=transport, base_url=f"http://{name}")
    held = Services(pool=pool, commands=commands, news=news, limits=Limits())  # type: ignore[arg-type]
    try:
        yield Context(services=held, viewer=viewer)
    finally:
        await commands.close()
