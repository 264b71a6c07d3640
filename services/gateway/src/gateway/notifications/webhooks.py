"""Webhook endpoints and their deliveries, for ADMIN only (the policy's rule for both
kinds). Endpoints come from the read model; an endpoint's deliveries, which change by
the second, from the notifications service itself."""

from datetime import datetime
from typing import Any

import asyncpg
import strawberry

from gateway.commands import Refused
from gateway.context import Context
from gateway.enums import WebhookDeliveryStatus, WebhookEndpointStatus
from gateway.outreach.columns import select
from gateway.policy import OnlyAdmin, Ref
from gateway.relay import (
    BadInput,
    Connection,
    Keyset,
    Node,
    Query,
    decode_cursor,
    encode_cursor,
    fetch_page,
    global_id,
    page_of,
    page_size,
)
from gateway.timeline import Timelined

Info = strawberry.Info[Context, None]
COLUMNS = "id, url, event_types, status, registered_at, updated_at, secret_rotated_at, version"
BY_REGISTRATION = Keyset((("registered_at", "timestamptz"), ("id", "uuid")))


@strawberry.type(description="One event for one endpoint; its id is the webhook-id header.")
class WebhookDelivery(Node):
    event_id: str
    event_type: str
    status: WebhookDeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    local_id: strawberry.Private[str]

    @classmethod
    def from_answer(cls, answer: dict[str, Any]) -> "WebhookDelivery":
        return cls(
            id=global_id("WebhookDelivery", answer["id"]),
            local_id=answer["id"],
            event_id=answer["eventId"],
            event_type=answer["eventType"],
            status=WebhookDeliveryStatus(answer["status"]),
            attempts=answer["attempts"],
            next_attempt_at=_time(answer.get("nextAttemptAt")),
            last_status=answer.get("lastStatus"),
            last_error=answer.get("lastError"),
            created_at=datetime.fromisoformat(answer["createdAt"]),
            updated_at=datetime.fromisoformat(answer["updatedAt"]),
        )

    @classmethod
    async def load(cls, ctx: Context, ref: Ref) -> "WebhookDelivery | None":
        commands = ctx.services.commands
        try:
            answer = await commands.get("notifications", f"/webhooks/deliveries/{ref.local}")
        except Refused as refused:
            if (refused.extensions or {}).get("code") == "NOT_FOUND":
                return None
            raise
        return cls.from_answer(answer)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


@strawberry.type(description="Where events are posted, signed per Standard Webhooks.")
class WebhookEndpoint(Node, Timelined):
    url: str
    event_types: list[str]
    status: WebhookEndpointStatus
    registered_at: datetime
    updated_at: datetime
    secret_rotated_at: datetime | None
    version: int

    @strawberry.field(description="Newest first.")
    async def deliveries(
        self,
        info: Info,
        status: WebhookDeliveryStatus | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookDelivery]:
        params = {"limit": str(page_size(first) + 1)}
        if status is not None:
            params["status"] = status.value
        if after is not None:
            created, delivery = _delivery_cursor(after)
            params |= {"afterCreatedAt": created, "afterId": delivery}
        path = f"/webhooks/{self.local_id}/deliveries"
        answer = await info.context.services.commands.get("notifications", path, params)
        deliveries = [WebhookDelivery.from_answer(d) for d in answer["deliveries"]]
        return page_of(deliveries, page_size(first), answer["total"], _cursor, lambda d: d)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "WebhookEndpoint":
        return cls(
            id=global_id("WebhookEndpoint", row["id"]),
            local_id=str(row["id"]),
            url=row["url"],
            event_types=list(row["event_types"]),
            status=WebhookEndpointStatus(row["status"]),
            registered_at=row["registered_at"],
            updated_at=row["updated_at"],
            secret_rotated_at=row["secret_rotated_at"],
            version=row["version"],
        )

    @classmethod
    async def load(cls, ctx: Context, ref: Ref) -> "WebhookEndpoint | None":
        row = await ctx.loaders.one(select("webhook_endpoints", COLUMNS)).load(ref.id)
        return cls.from_row(row) if row else None


def _cursor(delivery: WebhookDelivery) -> str:
    return encode_cursor(["DELIVERY", delivery.created_at.isoformat(), delivery.local_id])


def _delivery_cursor(cursor: str) -> tuple[str, str]:
    key = decode_cursor(cursor)
    if len(key) != 3 or key[0] != "DELIVERY":
        raise BadInput("the cursor is not valid (for this order)", "after")
    return str(key[1]), str(key[2])


@strawberry.type
class WebhookQueries:
    @strawberry.field(permission_classes=[OnlyAdmin], description="Oldest first.")
    async def webhook_endpoints(
        self,
        info: Info,
        include_deleted: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WebhookEndpoint]:
        query = Query(COLUMNS, "webhook_endpoints")
        if not include_deleted:
            query = query.narrowed("status <> 'DELETED'")
        return await fetch_page(
            info.context.pool, query, BY_REGISTRATION, WebhookEndpoint.from_row, first, after
        )
