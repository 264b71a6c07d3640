"""Builds the read model from the topics, one consumer-loop batch per transaction.

The timeline row keyed by event id comes first: when it already exists the event is
a redelivery (the relay publishes at least once) and nothing else is applied.
"""

import json
from collections.abc import Awaitable, Callable

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent

Apply = Callable[[Connection, CloudEvent], Awaitable[None]]


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


async def application_submitted(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO exhibitors (id, edition, company_name, country, status,
               supply_chain_areas, product_categories, contacts, organization_id,
               source_interest_id, version, submitted_at, updated_at)
           VALUES ($1, $2, $3, $4, 'SUBMITTED', $5, $6, $7::jsonb, $8, $9, $10, $11, $11)""",
        d["applicationId"],
        d["edition"],
        d["companyName"],
        d["country"],
        list(d["supplyChainAreas"]),
        list(d["productCategories"]),
        json.dumps(d["contacts"]),
        d.get("organizationId"),
        d.get("sourceInterestId"),
        event.stream_version,
        event.time,
    )


APPLIERS: dict[str, Apply] = {
    "pavilion.exhibitors.ApplicationSubmitted.v1": application_submitted,
}
