"""The exhibitors command API (internal HTTP; OpenAPI at /openapi.json, docs at /docs)."""

from fastapi import FastAPI
from pavilion_core.http import command_api

from exhibitors.api import commands, history, queries
from exhibitors.bootstrap import Services, start
from exhibitors.config import Config


def create_app(config: Config | None = None) -> FastAPI:
    async def started() -> Services:
        return await start(config or Config.from_env())

    routers = [commands.router, history.router, queries.router]
    return command_api("exhibitors", "Pavilion exhibitors commands", started, routers)
