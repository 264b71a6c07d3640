"""The outreach command API (internal HTTP; OpenAPI at /openapi.json, docs at /docs)."""

from fastapi import FastAPI
from pavilion_core.http import command_api

from outreach.api import commands, queries
from outreach.bootstrap import Services, start
from outreach.config import Config


def create_app(config: Config | None = None) -> FastAPI:
    async def started() -> Services:
        return await start(config or Config.from_env())

    return command_api(
        "outreach", "Pavilion outreach commands", started, [commands.router, queries.router]
    )
