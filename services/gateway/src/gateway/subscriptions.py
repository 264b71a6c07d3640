"""Subscriptions over graphql-transport-ws, pushed when the projector commits (see
news.py); each pushed event is loaded with fresh DataLoaders and screened by the policy.

A subscription is authorized before it starts, counts against a cap per connection and
one for the whole process, and ends (with an UNAUTHENTICATED error) when the token it
was opened with expires: a socket cannot outlive the right to what it shows.
"""

import asyncio
import time
from collections.abc import AsyncGenerator, AsyncIterator
from uuid import UUID

import strawberry
from graphql import GraphQLError

from gateway.context import Context
from gateway.disclosure import disclosure
from gateway.exhibitors.floorplan import FloorPlanChange, floor_plan_change
from gateway.exhibitors.types import SELECT, Exhibitor
from gateway.news import Item
from gateway.nodes import LOADERS, load_node
from gateway.outreach.types import select
from gateway.policy import NotFound, Ref, authorize, decode, may_see, may_see_entry
from gateway.relay import BadInput, Node
from gateway.timeline import COLUMNS, TimelineEntry

Info = strawberry.Info[Context, None]


class TokenExpired(GraphQLError):
    def __init__(self) -> None:
        super().__init__(
            "the token this subscription was opened with has expired; subscribe again",
            extensions={"code": "UNAUTHENTICATED"},
        )


async def news_for(ctx: Context) -> AsyncIterator[Item]:
    """What the projector commits, while the subscription holds a slot and its token
    is valid."""
    expires = ctx.viewer.valid_until or time.time() + 3600
    deadline = asyncio.get_running_loop().time() + max(0.0, expires - time.time())
    with ctx.services.slots.held(ctx):
        async with ctx.services.news.subscription() as news:
            try:
                async with asyncio.timeout_at(deadline):
                    async for item in news:
                        ctx.fresh_loaders()
                        yield item
            except TimeoutError:
                raise TokenExpired() from None


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Each new event of a record, as it is projected.")
    async def timeline(
        self, info: Info, subject_id: strawberry.ID
    ) -> AsyncGenerator[TimelineEntry, None]:
        ctx, ref = info.context, decode(subject_id, field="subjectId")
        authorize(ctx.viewer, ref)
        if await load_node(ctx, ref) is None:
            raise NotFound(f"there is no {ref.kind} {subject_id}", "subjectId")
        async for item in news_for(ctx):
            if item["subject"] != ref.local:
                continue
            loader = ctx.loaders.one(select("timeline", COLUMNS), "event_id")
            row = await loader.load(UUID(item["event"]))
            if row and may_see_entry(ctx.viewer, row["subject_id"], row["type"]):
                yield TimelineEntry.from_row(row, ctx.viewer)

    @strawberry.subscription(description="An edition's exhibitors, each time one changes.")
    async def exhibitor_changed(self, info: Info, edition: str) -> AsyncGenerator[Exhibitor, None]:
        ctx = info.context
        async for item in news_for(ctx):
            subject = item["subject"]
            if item["source"] != "exhibitors" or not may_see(ctx.viewer, "Exhibitor", subject):
                continue
            try:
                row = await ctx.loaders.one(SELECT).load(UUID(subject))
            except ValueError:  # a floor plan or waitlist stream, not an application
                continue
            if row is not None and row["edition"] == edition:
                yield Exhibitor.from_row(row)

    @strawberry.subscription(
        description="An edition's floor plan, each time a booth or the waitlist changes."
    )
    async def floor_plan_changed(
        self, info: Info, edition: str
    ) -> AsyncGenerator[FloorPlanChange, None]:
        ctx = info.context
        async for item in news_for(ctx):
            if change := await floor_plan_change(ctx, edition, item):
                yield change

    @strawberry.subscription(
        description="Every record the viewer may see (of `kinds`, the Node types, e.g. "
        "FollowUp, Contact, OutreachEvent, Notification; all if none), each time it "
        "changes: what keeps a list page live."
    )
    async def record_changed(
        self, info: Info, kinds: list[str] | None = None
    ) -> AsyncGenerator[Node, None]:
        if kinds is not None and len(kinds) > len(LOADERS):
            raise BadInput(f"at most {len(LOADERS)} kinds", "kinds")
        ctx, wanted = info.context, set(kinds or LOADERS) - {"TimelineEntry"}
        if unknown := wanted - set(LOADERS):  # named, but not echoed at any length
            named = ", ".join(kind[:40] for kind in sorted(unknown)[:3])
            raise BadInput(f"not kinds of record: {named}", "kinds")
        async for item in news_for(ctx):
            for kind in wanted.intersection(disclosure().stream_kinds(item["type"])):
                if (node := await _changed(ctx, kind, item["subject"])) is not None:
                    yield node


async def _changed(ctx: Context, kind: str, subject: str) -> Node | None:
    """The record of `kind` a stream `subject` is, if the viewer may see it."""
    try:
        ref = Ref(kind, UUID(subject))
    except ValueError:  # a stream of no record (a floor plan, a waitlist)
        return None
    return await load_node(ctx, ref) if may_see(ctx.viewer, kind, subject) else None
