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
    notification_id: strawberry.Private[str]

    @strawberry.field(
        directives=PERSONAL,
        description="Where the mail viewer the gateway is set up with (Mailpit, in "
        "development) shows this email: its search for the message's Message-ID, which "
        "holds the notification's id. Null when no viewer is set up, or the email was not "
        "sent (yet), or for a VIEWER (the message holds personal data).",
    )
    def mail_viewer_url(self, info: strawberry.Info[Context, None]) -> str | None:
        viewer = info.context.services.mail_viewer_url
        sent = (self.channel, self.status) == (NotificationChannel.EMAIL, NotificationStatus.SENT)
        if viewer is None or not sent:
            return None
        # The mailer's Message-ID is <notification id@sender's domain>; Mailpit's
        # `message-id:` search matches a part of it.
        return f"{viewer}/search?q=message-id:{self.notification_id}"

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
            notification_id=str(row["id"]),
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
