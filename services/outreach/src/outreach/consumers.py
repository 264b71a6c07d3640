"""What the outreach reactor does with the events it consumes, in the same transaction
as its offsets:

* exhibitors' ApplicationSubmitted that names an interest marks it converted (or links
  the application to it), idempotently;
* its own FollowUp* events keep follow_up_schedule current for the overdue job.
"""

import logging
from datetime import datetime

from pavilion_core.clock import Clock
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.errors import NotFound
from pavilion_core.eventstore import CommandContext
from pavilion_core.pgstore import TransactionEventStore

from outreach.handlers import Handlers

log = logging.getLogger(__name__)
APPLICATION_SUBMITTED = "pavilion.exhibitors.ApplicationSubmitted.v1"


class Reactions:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def __call__(self, conn: Connection, event: CloudEvent) -> None:
        if event.type == APPLICATION_SUBMITTED and event.data.get("sourceInterestId"):
            await self.application_submitted(conn, event)
        elif event.type.startswith("pavilion.outreach.FollowUp"):
            await schedule(conn, event)

    async def application_submitted(self, conn: Connection, event: CloudEvent) -> None:
        handlers = Handlers(TransactionEventStore(conn), self.clock)
        ctx = CommandContext(
            Metadata(
                correlation_id=event.correlation_id or event.id,
                causation_id=event.id,
                actor="outreach:application",
            )
        )
        interest = str(event.data["sourceInterestId"])
        try:
            await handlers.application_submitted(interest, str(event.data["applicationId"]), ctx)
        except NotFound:
            log.warning(
                "an application names an unknown interest",
                extra={"interest": interest, "application": event.data["applicationId"]},
            )


async def schedule(conn: Connection, event: CloudEvent) -> None:
    d, kind = event.data, event.event_type
    if kind in ("FollowUpScheduled", "FollowUpRescheduled"):
        await conn.execute(
            """INSERT INTO follow_up_schedule (follow_up_id, due_at, status)
               VALUES ($1, $2, 'SCHEDULED')
               ON CONFLICT (follow_up_id) DO UPDATE SET due_at = EXCLUDED.due_at""",
            d["followUpId"],
            datetime.fromisoformat(d["dueAt"]),
        )
    elif kind in ("FollowUpCompleted", "FollowUpCancelled"):
        await conn.execute(
            "UPDATE follow_up_schedule SET status = $2 WHERE follow_up_id = $1",
            d["followUpId"],
            "COMPLETED" if kind == "FollowUpCompleted" else "CANCELLED",
        )
    elif kind == "FollowUpBecameOverdue":
        await conn.execute(
            "UPDATE follow_up_schedule SET announced_for = $2 WHERE follow_up_id = $1",
            d["followUpId"],
            datetime.fromisoformat(d["dueAt"]),
        )
