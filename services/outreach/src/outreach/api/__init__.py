"""The outreach command API (internal HTTP; OpenAPI at /openapi.json, docs at /docs)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pavilion_core.http import install

from outreach.api import commands, queries
from outreach.bootstrap import Services, start
from outreach.config import Config


def create_app(config: Config | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await start(config or Config.from_env())
        yield
        await app.state.services.close()

    app = FastAPI(title="Pavilion outreach commands", version="1", lifespan=lifespan)

    async def ready() -> bool:
        services: Services = app.state.services
        return await services.pool.fetchval("SELECT true") is True

    install(app, ready)
    app.include_router(commands.router)
    app.include_router(queries.router)
    return app
