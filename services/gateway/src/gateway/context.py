"""The typed context built for each GraphQL request (and each subscription)."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field

import asyncpg
from graphql import GraphQLError
from pavilion_core.clock import Clock, clock_from_env
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
    """Open subscriptions, counted per process, per token subject (so that one caller,
    over any number of sockets, cannot take them all) and per connection (on its
    context)."""

    limits: Limits
    open: int = 0
    by_subject: Counter[str] = field(default_factory=Counter)

    @contextmanager
    def held(self, ctx: "Context") -> Iterator[None]:
        subject, limits = ctx.viewer.subject, self.limits
        if self.open >= limits.subscriptions_total:
            raise TooManySubscriptions("the server has all the subscriptions it can hold")
        if self.by_subject[subject] >= limits.subscriptions_per_subject:
            raise TooManySubscriptions(
                f"a caller may hold {limits.subscriptions_per_subject} subscriptions at once"
            )
        if ctx.subscriptions >= limits.subscriptions_per_connection:
            raise TooManySubscriptions(
                f"a connection may hold {limits.subscriptions_per_connection} subscriptions"
            )
        self._count(ctx, subject, 1)
        try:
            yield
        finally:
            self._count(ctx, subject, -1)

    def _count(self, ctx: "Context", subject: str, change: int) -> None:
        self.open += change
        self.by_subject[subject] += change
        ctx.subscriptions += change
        if not self.by_subject[subject]:
            del self.by_subject[subject]


@dataclass
class Services:
    """What the API process holds for all requests."""

    pool: asyncpg.Pool
    commands: CommandClient
    news: News
    limits: Limits
    mail_viewer_url: str | None = None  # Config.mail_viewer_url
    slots: Slots = field(init=False)
    replays: asyncio.Semaphore = field(init=False)  # Limits.past_replays
    # the services' time (a story's, in dev): what an application's allowed actions are on
    clock: Clock = field(default_factory=clock_from_env)

    def __post_init__(self) -> None:
        self.slots = Slots(self.limits)
        self.replays = asyncio.Semaphore(self.limits.past_replays)


@dataclass
class Context(BaseContext):
    services: Services
    viewer: Viewer
    header: str | None = None  # the Authorization header, if the request had one
    subscriptions: int = 0  # open on this connection (a WebSocket's context is its own)
    loaders: Loaders = field(init=False)
    # answers as of a past moment (gateway.asof): the context of each root field that
    # asked for one, by its response key, and what to close when the request ends
    pasts: dict[str, "Context"] = field(default_factory=dict)
    held: AsyncExitStack = field(default_factory=AsyncExitStack)

    def __post_init__(self) -> None:
        super().__init__()
        self.loaders = Loaders(self.services.pool)

    @property
    def pool(self) -> asyncpg.Pool:
        return self.services.pool

    def fresh_loaders(self) -> None:
        """A subscription pushes each event with data loaded anew."""
        self.loaders = Loaders(self.services.pool)
