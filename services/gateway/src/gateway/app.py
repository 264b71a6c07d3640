"""The gateway's ASGI app: GraphQL at /graphql, health at /healthz and /readyz."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI
from pavilion_core.http import install
from strawberry.fastapi import GraphQLRouter

from gateway.bootstrap import connect
from gateway.config import Config
from gateway.context import Context
from gateway.schema import schema


def create_app(config: Config | None = None) -> FastAPI:
    config = config or Config.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.pool = await connect(config)
        yield
        await app.state.pool.close()

    app = FastAPI(title="Pavilion GraphQL gateway", lifespan=lifespan, openapi_url=None)

    def pool() -> asyncpg.Pool:
        return app.state.pool  # type: ignore[no-any-return]

    async def ready() -> bool:
        return await pool().fetchval("SELECT true") is True

    async def context() -> Context:
        return Context(pool=pool())

    install(app, ready)
    app.include_router(
        GraphQLRouter(
            schema, context_getter=context, graphql_ide="graphiql" if config.graphiql else None
        ),
        prefix="/graphql",
    )
    return app
