"""Every record's timeline: who did what, when, built from its events. For a VIEWER the
data holds only what the event contracts declare not personal, and so does the summary
made of it; the actor (a person) is @personal."""

import json
import re
from datetime import datetime
from typing import Any, cast

import asyncpg
import strawberry
from strawberry.scalars import JSON

from gateway.auth import Viewer
from gateway.disclosure import disclosure
from gateway.policy import PERSONAL
from gateway.relay import Connection, Keyset, Node, Query, fetch_page, global_id

DETAILS = ("companyName", "name", "boothCode", "template", "stage", "reason", "outcome")
COLUMNS = "event_id, subject_id, type, stream_version, occurred_at, recorded_at, actor, data"
KEYSET = Keyset((("stream_version", "int"), ("event_id", "uuid")))


@strawberry.type
class TimelineEntry(Node):
    type: str
    occurred_at: datetime = strawberry.field(description="When it happened.")
    recorded_at: datetime = strawberry.field(
        description="When it was recorded: later than occurredAt for imported history."
    )
    actor: str | None = strawberry.field(directives=PERSONAL)
    summary: str
    version: int
    data: JSON
    subject_id: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: asyncpg.Record, viewer: Viewer) -> "TimelineEntry":
        data: dict[str, Any] = json.loads(row["data"])
        if not viewer.sees_personal_data:
            data = disclosure().redact(row["type"], data)
        return cls(
            id=global_id("TimelineEntry", row["event_id"]),
            type=row["type"],
            occurred_at=row["occurred_at"],
            recorded_at=row["recorded_at"],
            actor=row["actor"],
            summary=summarize(row["type"], data),
            version=row["stream_version"],
            data=cast(JSON, data),
            subject_id=row["subject_id"],
        )


def summarize(event_type: str, data: dict[str, Any]) -> str:
    """ "BoothAssigned" with {"boothCode": "W1-08"} → "Booth assigned: W1-08"."""
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", event_type).lower().capitalize()
    if "amount" in data and "currency" in data:
        return f"{words}: {data['amount'] / 100:,.2f} {data['currency']}"
    detail = next((str(data[k]) for k in DETAILS if data.get(k)), None)
    return f"{words}: {detail}" if detail else words


async def timeline_page(
    pool: asyncpg.Pool, viewer: Viewer, subject: str, first: int | None, after: str | None
) -> Connection[TimelineEntry]:
    query = Query(COLUMNS, "timeline").narrowed("subject_id = {0}", subject)
    return await fetch_page(
        pool, query, KEYSET, lambda r: TimelineEntry.from_row(r, viewer), first, after
    )


@strawberry.interface(description="A record with a timeline of its own events.")
class Timelined:
    local_id: strawberry.Private[str]

    @strawberry.field
    async def timeline(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[TimelineEntry]:
        ctx = info.context
        return await timeline_page(ctx.pool, ctx.viewer, self.local_id, first, after)
