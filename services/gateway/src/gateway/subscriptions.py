"""Subscriptions over graphql-transport-ws, pushed when the projector commits (see
news.py); each pushed event is loaded with fresh DataLoaders."""

from collections.abc import AsyncGenerator
from uuid import UUID

import strawberry

from gateway.auth import Role
from gateway.context import Context
from gateway.exhibitors.types import SELECT, Exhibitor
from gateway.outreach.types import select
from gateway.permissions import Forbidden
from gateway.relay import parse_global_id
from gateway.timeline import COLUMNS, TimelineEntry

Info = strawberry.Info[Context, None]


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Each new event of a record, as it is projected.")
    async def timeline(
        self, info: Info, subject_id: strawberry.ID
    ) -> AsyncGenerator[TimelineEntry, None]:
        ctx = info.context
        type_name, subject = parse_global_id(subject_id)
        if ctx.viewer.role is Role.EXHIBITOR and (
            type_name != "Exhibitor" or not ctx.viewer.may_see_application(subject)
        ):
            raise Forbidden()
        async with ctx.services.news.subscription() as news:
            async for item in news:
                if item["subject"] != subject:
                    continue
                ctx.fresh_loaders()
                loader = ctx.loaders.one(select("timeline", COLUMNS), "event_id")
                if row := await loader.load(UUID(item["event"])):
                    yield TimelineEntry.from_row(row, ctx.viewer)

    @strawberry.subscription(description="An edition's exhibitors, each time one changes.")
    async def exhibitor_changed(self, info: Info, edition: str) -> AsyncGenerator[Exhibitor, None]:
        ctx = info.context
        async with ctx.services.news.subscription() as news:
            async for item in news:
                if item["source"] != "exhibitors" or not ctx.viewer.may_see_application(
                    item["subject"]
                ):
                    continue
                ctx.fresh_loaders()
                try:
                    row = await ctx.loaders.one(SELECT).load(UUID(item["subject"]))
                except ValueError:  # a floor plan or waitlist stream, not an application
                    continue
                if row is not None and row["edition"] == edition:
                    yield Exhibitor.from_row(row)
