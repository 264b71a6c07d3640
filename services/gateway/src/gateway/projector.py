"""Builds the read model from the topics, one consumer-loop batch per transaction.

The timeline row keyed by event id comes first: when it already exists the event is
a redelivery (the relay publishes at least once) and nothing else is applied.
Events this projector does not know are counted in skipped_events, not fatal.
"""

import json
from collections.abc import Awaitable, Callable

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent

from gateway.exhibitors.projections import APPLIERS as EXHIBITORS

Apply = Callable[[Connection, CloudEvent], Awaitable[None]]
APPLIERS: dict[str, Apply] = {**EXHIBITORS}


async def project(conn: Connection, event: CloudEvent) -> None:
    apply = APPLIERS.get(event.type)
    if apply is None:
        await conn.execute(
            """INSERT INTO skipped_events (type, count) VALUES ($1, 1)
               ON CONFLICT (type) DO UPDATE SET count = skipped_events.count + 1""",
            event.type,
        )
        return
    if await _record_in_timeline(conn, event):
        await apply(conn, event)


async def _record_in_timeline(conn: Connection, event: CloudEvent) -> bool:
    inserted = await conn.fetchval(
        """INSERT INTO timeline (event_id, subject_id, type, stream_version, occurred_at,
                                 actor, correlation_id, data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb)
           ON CONFLICT (event_id) DO NOTHING RETURNING true""",
        event.id,
        event.subject,
        event.event_type,
        event.stream_version,
        event.time,
        event.actor,
        event.correlation_id,
        json.dumps(event.data),
    )
    return inserted is True
