"""`node(id)` for every type: the loader of each record type, by its local id."""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from gateway.auth import Role
from gateway.context import Context
from gateway.exhibitors.queries import exhibitor_by_id
from gateway.notifications.types import COLUMNS as NOTIFICATION
from gateway.notifications.types import Notification, WebhookEndpoint
from gateway.outreach import types as t
from gateway.permissions import Forbidden
from gateway.relay import Node, global_id
from gateway.timeline import COLUMNS as TIMELINE
from gateway.timeline import TimelineEntry

Load = Callable[[Context, str], Awaitable[Node | None]]


def _by_id(table: str, columns: str, build: Callable[..., Node]) -> Load:
    async def load(ctx: Context, local: str) -> Node | None:
        row = await ctx.loaders.one(t.select(table, columns)).load(UUID(local))
        return build(row) if row else None

    return load


def _endpoint(row: Any) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=global_id("WebhookEndpoint", row["id"]),
        url=row["url"],
        event_types=list(row["event_types"]),
        registered_at=row["registered_at"],
    )


async def _entry(ctx: Context, local: str) -> Node | None:
    row = await ctx.loaders.one(t.select("timeline", TIMELINE), "event_id").load(UUID(local))
    if row is None:
        return None
    if ctx.viewer.role is Role.EXHIBITOR and not ctx.viewer.may_see_application(row["subject_id"]):
        raise Forbidden()
    return TimelineEntry.from_row(row, ctx.viewer)


LOADERS: dict[str, Load] = {
    "Exhibitor": exhibitor_by_id,
    "TimelineEntry": _entry,
    "Organization": _by_id("organizations", t.ORGANIZATION, t.Organization.from_row),
    "Contact": _by_id("contacts", t.CONTACT, t.Contact.from_row),
    "Delegation": _by_id("delegations", t.DELEGATION, t.Delegation.from_row),
    "Trip": _by_id("trips", t.TRIP, t.Trip.from_row),
    "OutreachEvent": _by_id(t.EVENTS, t.EVENT, t.OutreachEvent.from_row),
    "Interest": _by_id("interests", t.INTEREST, t.Interest.from_row),
    "FollowUp": _by_id("follow_ups", t.FOLLOW_UP, t.FollowUp.from_row),
    "Notification": _by_id("notifications", NOTIFICATION, Notification.from_row),
    "WebhookEndpoint": _by_id(
        "webhook_endpoints", "id, url, event_types, registered_at", _endpoint
    ),
}
OPEN_TO_EXHIBITORS = frozenset({"Exhibitor", "TimelineEntry"})


async def load_node(ctx: Context, type_name: str, local: str) -> Node | None:
    load = LOADERS.get(type_name)
    if load is None:
        return None
    if ctx.viewer.role is Role.EXHIBITOR and type_name not in OPEN_TO_EXHIBITORS:
        raise Forbidden("an exhibitor may see only its own applications")
    try:
        return await load(ctx, local)
    except ValueError:  # not a UUID: there is no such record
        return None
