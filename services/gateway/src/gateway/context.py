"""The typed context built for each GraphQL request (and each subscription)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import asyncpg
from graphql import GraphQLError
from strawberry.fastapi import BaseContext

from gateway.auth import Viewer
from gateway.commands import CommandClient
from gateway.config import Limits
from gateway.loaders import Loaders
from gateway.news import News


class TooManySubscriptions(GraphQLError):
    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "TOO_MANY_SUBSCRIPTIONS"})


@dataclass
class Slots:
    """Open subscriptions, counted per process (per connection: on its context)."""

    total: int
    per_connection: int
    open: int = 0

    @contextmanager
    def held(self, ctx: "Context") -> Iterator[None]:
        if self.open >= self.total:
            raise TooManySubscriptions("the server has all the subscriptions it can hold")
        if ctx.subscriptions >= self.per_connection:
            raise TooManySubscriptions(
                f"a connection may hold {self.per_connection} subscriptions at once"
            )
        self.open, ctx.subscriptions = self.open + 1, ctx.subscriptions + 1
        try:
            yield
        finally:
            self.open, ctx.subscriptions = self.open - 1, ctx.subscriptions - 1


@dataclass
class Services:
    """What the API process holds for all requests."""

    pool: asyncpg.Pool
    commands: CommandClient
    news: News
    limits: Limits
    slots: Slots = field(init=False)

    def __post_init__(self) -> None:
        self.slots = Slots(
            self.limits.subscriptions_total, self.limits.subscriptions_per_connection
        )


@dataclass
class Context(BaseContext):
    services: Services
    viewer: Viewer
    header: str | None = None  # the Authorization header, if the request had one
    subscriptions: int = 0  # open on this connection (a WebSocket's context is its own)
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
