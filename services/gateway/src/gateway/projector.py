"""Builds the read model from the topics, one consumer-loop batch per transaction.

The timeline row keyed by event id comes first: when it already exists the event is
a redelivery (the relay publishes at least once, and a swapped-in rebuild may be ahead
of the live projector) and nothing else is applied. Events this projector does not
know are counted in skipped_events, not fatal.

The live projector announces each recorded event on a PostgreSQL channel, delivered
when its batch commits: that is what wakes subscriptions and read-your-writes waits.
A rebuild records silently: replaying history must not look like news.
"""

import json
from collections.abc import Awaitable, Callable

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent

from gateway.exhibitors.projections import APPLIERS as EXHIBITORS
from gateway.notifications.projections import APPLIERS as NOTIFICATIONS
from gateway.outreach.projections import APPLIERS as OUTREACH

Apply = Callable[[Connection, CloudEvent], Awaitable[None]]
APPLIERS: dict[str, Apply] = {**EXHIBITORS, **OUTREACH, **NOTIFICATIONS}
CHANNEL = "pavilion_read_model"

_RECORD = """WITH recorded AS (
    INSERT INTO timeline (event_id, subject_id, type, stream_version, occurred_at, actor,
                          correlation_id, data)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id)
SELECT true FROM recorded"""
_RECORD_AND_ANNOUNCE = _RECORD + f", LATERAL (SELECT pg_notify('{CHANNEL}', $9)) announced"


class Projector:
    """The consumer-loop handler of the gateway."""

    def __init__(self, *, announce: bool = True) -> None:
        self.announce = announce

    async def __call__(self, conn: Connection, event: CloudEvent) -> None:
        apply = APPLIERS.get(event.type)
        if apply is None:
            await conn.execute(
                """INSERT INTO skipped_events (type, count) VALUES ($1, 1)
                   ON CONFLICT (type) DO UPDATE SET count = skipped_events.count + 1""",
                event.type,
            )
            return
        if await self._record_in_timeline(conn, event):
            await apply(conn, event)

    async def _record_in_timeline(self, conn: Connection, event: CloudEvent) -> bool:
        values = [
            event.id,
            event.subject,
            event.event_type,
            event.stream_version,
            event.time,
            event.actor,
            event.correlation_id,
            json.dumps(event.data),
        ]
        if not self.announce:
            return await conn.fetchval(_RECORD, *values) is True
        news = {
            "subject": event.subject,
            "version": event.stream_version,
            "type": event.event_type,
            "source": event.type.split(".")[1],
            "event": event.id,
        }
        return await conn.fetchval(_RECORD_AND_ANNOUNCE, *values, json.dumps(news)) is True


project = Projector()
