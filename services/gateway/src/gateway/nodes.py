"""`node(id)` for every type: the loader of each kind of record, behind the policy."""

from collections.abc import Awaitable, Callable
from typing import Any

from gateway.context import Context
from gateway.exhibitors import rebooking
from gateway.exhibitors.types import COLUMNS as EXHIBITOR
from gateway.exhibitors.types import Exhibitor
from gateway.notifications.types import COLUMNS as NOTIFICATION
from gateway.notifications.types import Notification
from gateway.notifications.webhooks import WebhookDelivery, WebhookEndpoint
from gateway.outreach import types as t
from gateway.policy import Ref, authorize, may_see_entry
from gateway.relay import Node
from gateway.timeline import COLUMNS as TIMELINE
from gateway.timeline import TimelineEntry

Load = Callable[[Context, Ref], Awaitable[Node | None]]


def _by_id(table: str, columns: str, build: Callable[[Any], Node]) -> Load:
    async def load(ctx: Context, ref: Ref) -> Node | None:
        row = await ctx.loaders.one(t.select(table, columns)).load(ref.id)
        return build(row) if row else None

    return load


async def _entry(ctx: Context, ref: Ref) -> Node | None:
    row = await ctx.loaders.one(t.select("timeline", TIMELINE), "event_id").load(ref.id)
    if row is None or not may_see_entry(ctx.viewer, row["subject_id"], row["type"]):
        return None  # the same answer whether it is someone else's or nobody's
    return TimelineEntry.from_row(row, ctx.viewer)


# Read from the notifications service, not from the read model: no answer as of a moment
NOT_PROJECTED = frozenset({"WebhookEndpoint", "WebhookDelivery"})
LOADERS: dict[str, Load] = {
    "Exhibitor": _by_id("exhibitors", EXHIBITOR, Exhibitor.from_row),
    "TimelineEntry": _entry,
    "RebookingOffer": rebooking.load,
    "Organization": _by_id("organizations", t.ORGANIZATION, t.Organization.from_row),
    "Contact": _by_id("contacts", t.CONTACT, t.Contact.from_row),
    "Delegation": _by_id("delegations", t.DELEGATION, t.Delegation.from_row),
    "Trip": _by_id("trips", t.TRIP, t.Trip.from_row),
    "OutreachEvent": _by_id(t.EVENTS, t.EVENT, t.OutreachEvent.from_row),
    "Interest": _by_id("interests", t.INTEREST, t.Interest.from_row),
    "FollowUp": _by_id("follow_ups", t.FOLLOW_UP, t.FollowUp.from_row),
    "Notification": _by_id("notifications", NOTIFICATION, Notification.from_row),
    "WebhookEndpoint": WebhookEndpoint.load,
    "WebhookDelivery": WebhookDelivery.load,
}


async def load_node(ctx: Context, ref: Ref) -> Node | None:
    """The record `ref` names, once the policy lets the viewer see it (decided before
    anything is read); None if there is no such record of that kind."""
    authorize(ctx.viewer, ref)
    return await LOADERS[ref.kind](ctx, ref)
