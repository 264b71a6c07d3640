"""GraphQL types and queries of what notifications did."""

from datetime import datetime

import asyncpg
import strawberry

from gateway.context import Context
from gateway.enums import NotificationChannel, NotificationStatus
from gateway.policy import PERSONAL, NotExhibitor
from gateway.relay import Connection, Keyset, Node, Query, fetch_page, global_id

COLUMNS = "id, channel, recipient, template, rule, status, related_id, reason, created_at"
NEWEST_FIRST = Keyset((("created_at", "timestamptz"), ("id", "uuid")), descending=True)


@strawberry.type
class Notification(Node):
    channel: NotificationChannel
    template: str | None
    rule: str
    status: NotificationStatus
    reason: str | None = strawberry.field(directives=PERSONAL)
    related_id: str | None = strawberry.field(description="The stream that triggered it.")
    created_at: datetime
    recipient: str | None = strawberry.field(directives=PERSONAL)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Notification":
        return cls(
            id=global_id("Notification", row["id"]),
            channel=NotificationChannel(row["channel"]),
            template=row["template"],
            rule=row["rule"],
            status=NotificationStatus(row["status"]),
            reason=row["reason"],
            related_id=row["related_id"],
            created_at=row["created_at"],
            recipient=row["recipient"],
        )


@strawberry.input
class NotificationFilter:
    status: list[NotificationStatus] | None = None
    related_id: str | None = None
    rule: str | None = None


@strawberry.type
class NotificationQueries:
    @strawberry.field(permission_classes=[NotExhibitor], description="Newest first.")
    async def notifications(
        self,
        info: strawberry.Info[Context, None],
        filter: NotificationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Notification]:
        f = filter or NotificationFilter()
        query = Query(COLUMNS, "notifications").any_of("status", f.status)
        if f.related_id:
            query = query.narrowed("related_id = {0}", f.related_id)
        if f.rule:
            query = query.narrowed("rule = {0}", f.rule)
        return await fetch_page(
            info.context.pool, query, NEWEST_FIRST, Notification.from_row, first, after
        )
