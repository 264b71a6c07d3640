"""Pavilion's events by `ce_type`, and the topic of each service.

Generated from schemas/events by python -m pavilion_contracts.kit; do not edit."""

from pavilion_kit.event import Event
from pavilion_kit.events import exhibitors, notifications, outreach

TOPICS = {
    "exhibitors": "pavilion.exhibitors.v1",
    "notifications": "pavilion.notifications.v1",
    "outreach": "pavilion.outreach.v1",
}
EVENTS: dict[str, type[Event]] = {
    **exhibitors.EVENTS,
    **notifications.EVENTS,
    **outreach.EVENTS,
}
