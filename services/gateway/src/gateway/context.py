"""The typed context built for each GraphQL request (and each subscription)."""

from dataclasses import dataclass, field

import asyncpg
from strawberry.fastapi import BaseContext

from gateway.auth import Viewer
from gateway.commands import CommandClient
from gateway.config import Limits
from gateway.loaders import Loaders
from gateway.news import News


@dataclass
class Services:
    """What the API process holds for all requests."""

    pool: asyncpg.Pool
    commands: CommandClient
    news: News
    limits: Limits


@dataclass
class Context(BaseContext):
    services: Services
    viewer: Viewer
    header: str | None = None  # the Authorization header, if the request had one
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        super().__init__()
        self.loaders = Loaders(self.services.pool)

    @property
    def pool(self) -> asyncpg.Pool:
        return self.services.pool

    def fresh_loaders(self) -> None:
        """A subscription pushes each event with data loaded anew."""
        self.loaders = Loaders(self.services.pool)
