"""Builds the read model from the topics, a consumer-loop batch per transaction.

An event is applied only if its timeline row (keyed by event id) is new: otherwise it
is a redelivery (the relay publishes at least once, and a swapped-in rebuild may be
ahead of the live projector) and nothing else happens. Events this projector does not
know are counted in skipped_events, not fatal.

A batch costs a few round trips, not a few per event: the timeline rows of the whole
batch are one statement, and the events are applied in layers — a subject's first
event in the batch in the first layer, its second in the next, and so on — each
layer's statements collected and run as one `executemany` per statement. A subject's
events keep their order; events of different subjects were never ordered (they may
sit on different partitions).

The live projector announces each recorded event on a PostgreSQL channel, delivered
when its batch commits: that is what wakes subscriptions and read-your-writes waits.
A rebuild records silently: replaying history must not look like news.

Nothing personal of a contact it knows forgotten is written, whatever an event says
(gateway.outreach.forgetting).
"""

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent

from gateway.exhibitors.projections import APPLIERS as EXHIBITORS
from gateway.notifications.projections import APPLIERS as NOTIFICATIONS
from gateway.outreach.forgetting import unsaid_of_the_forgotten
from gateway.outreach.projections import APPLIERS as OUTREACH
from gateway.rows import Apply, jsonb

APPLIERS: dict[str, Apply] = {**EXHIBITORS, **OUTREACH, **NOTIFICATIONS}
CHANNEL = "pavilion_read_model"

_RECORD = """WITH recorded AS (
    INSERT INTO timeline (event_id, subject_id, type, stream_version, occurred_at,
                          recorded_at, actor, correlation_id, data)
    SELECT e.id, e.subject, e.type, e.version, e.at, e.recorded, e.actor, e.correlation,
           e.data::jsonb
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::timestamptz[],
                $6::timestamptz[], $7::text[], $8::text[], $9::text[])
         AS e(id, subject, type, version, at, recorded, actor, correlation, data)
    ON CONFLICT (event_id) DO NOTHING RETURNING event_id)
SELECT event_id FROM recorded"""
_ANNOUNCE = f"SELECT pg_notify('{CHANNEL}', news) FROM unnest($1::text[]) AS n(news)"
_SKIPPED = """INSERT INTO skipped_events (type, count) VALUES ($1, 1)
              ON CONFLICT (type) DO UPDATE SET count = skipped_events.count + 1"""


class Projector:
    """The consumer-loop handler of the gateway: one event, or a whole batch; with
    `until`, only the events that occurred at or before it (a read model as of then)."""

    def __init__(self, *, announce: bool = True, until: datetime | None = None) -> None:
        self.announce, self.until = announce, until

    async def __call__(self, conn: Connection, event: CloudEvent) -> None:
        await self.batch(conn, [event])

    async def batch(self, conn: Connection, events: Sequence[CloudEvent]) -> None:
        if self.until is not None:
            events = [e for e in events if e.time <= self.until]
        events = await unsaid_of_the_forgotten(conn, events)
        recorded = await self._record(conn, [e for e in events if e.type in APPLIERS])
        statements = Statements()
        for layer in _layers(events):
            for event in layer:
                statements.next_event()
                if (apply := APPLIERS.get(event.type)) is None:
                    await statements.execute(_SKIPPED, event.type)
                elif event.id in recorded:
                    recorded.discard(event.id)  # a copy later in the batch is a redelivery
                    await apply(statements, event)
            await statements.run(conn)

    async def _record(self, conn: Connection, events: list[CloudEvent]) -> set[str]:
        """Timeline rows for `events`; the ids of those that are new."""
        if not events:
            return set()
        first = list({e.id: e for e in reversed(events)}.values())[::-1]  # one per id
        rows = await conn.fetch(
            _RECORD,
            [e.id for e in first],
            [e.subject for e in first],
            [e.event_type for e in first],
            [e.stream_version for e in first],
            [e.time for e in first],
            [e.recorded_time for e in first],
            [e.actor for e in first],
            [e.correlation_id for e in first],
            [jsonb(e.data) for e in first],
        )
        new = {r["event_id"] for r in rows}
        recorded = {e.id for e in first if UUID(e.id) in new}
        if self.announce and recorded:
            news = [_news(e) for e in first if e.id in recorded]
            await conn.execute(_ANNOUNCE, news)
        return recorded


class Statements:
    """Stands in for the connection while a layer of events is applied: collects each
    event's statements, then runs them grouped — one executemany per statement text
    and position within its event, so that an event's statements keep their order."""

    def __init__(self) -> None:
        self._pending: dict[tuple[int, str], list[tuple[object, ...]]] = {}
        self._position = 0

    def next_event(self) -> None:
        self._position = 0

    async def execute(self, query: str, *args: object) -> str:
        self._pending.setdefault((self._position, query), []).append(args)
        self._position += 1
        return ""

    async def run(self, conn: Connection) -> None:
        for (_, query), rows in sorted(self._pending.items(), key=lambda item: item[0][0]):
            await conn.executemany(query, rows)
        self._pending.clear()


def _layers(events: Sequence[CloudEvent]) -> list[list[CloudEvent]]:
    """Layer n holds each subject's n-th event of the batch, in the batch's order."""
    layers: list[list[CloudEvent]] = []
    seen: dict[str, int] = {}
    for event in events:
        depth = seen.get(event.subject, 0)
        seen[event.subject] = depth + 1
        if depth == len(layers):
            layers.append([])
        layers[depth].append(event)
    return layers


def _news(event: CloudEvent) -> str:
    return jsonb(
        {
            "subject": event.subject,
            "version": event.stream_version,
            "type": event.event_type,
            "source": event.type.split(".")[1],
            "event": event.id,
        }
    )


project = Projector()
