"""What the outreach reactor does with the events it consumes, in the same transaction
as its offsets:

* exhibitors' ApplicationSubmitted that names an interest marks it converted (or links
  the application to it), idempotently;
* exhibitors' ConversionRefused compensates the conversion: the interest is QUALIFIED
  again, with the refusal's code and reason (idempotent, and only for the conversion
  refused);
* its own FollowUp* events keep follow_up_schedule current for the overdue job.
"""

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from pavilion_contracts.outreach import FollowUpStatus
from pavilion_contracts.reader import READER
from pavilion_core.clock import Clock
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.errors import NotFound
from pavilion_core.eventstore import CommandContext
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import TransactionEventStore

from outreach.handlers import Handlers

log = logging.getLogger(__name__)
APPLICATION_SUBMITTED = READER.ce_type("exhibitors", "ApplicationSubmitted")
CONVERSION_REFUSED = READER.ce_type("exhibitors", "ConversionRefused")


class Reactions:
    def __init__(self, clock: Clock, sealer: Sealer) -> None:
        self.clock, self.sealer = clock, sealer

    async def __call__(self, conn: Connection, event: CloudEvent) -> None:
        if event.type == APPLICATION_SUBMITTED and event.data.get("sourceInterestId"):
            await self.application_submitted(conn, event)
        elif event.type == CONVERSION_REFUSED:
            await self.conversion_refused(conn, event)
        elif event.type.startswith("pavilion.outreach.FollowUp"):
            await schedule(conn, event)

    async def application_submitted(self, conn: Connection, event: CloudEvent) -> None:
        interest = str(event.data["sourceInterestId"])
        application = str(event.data["applicationId"])
        await self._on_interest(
            conn,
            event,
            "outreach:application",
            lambda h, ctx: h.application_submitted(interest, application, ctx),
        )

    async def conversion_refused(self, conn: Connection, event: CloudEvent) -> None:
        d = event.data
        await self._on_interest(
            conn,
            event,
            "outreach:conversion-refused",
            lambda h, ctx: h.conversion_refused(
                d["interestId"], d["interestVersion"], (d["code"], d["reason"]), ctx
            ),
        )

    async def _on_interest(
        self,
        conn: Connection,
        event: CloudEvent,
        actor: str,
        change: Callable[[Handlers, CommandContext], Awaitable[object]],
    ) -> None:
        """Change an interest as `event` says; an unknown interest is logged, not raised."""
        handlers = Handlers(TransactionEventStore(conn, self.sealer), self.clock)
        metadata = Metadata(
            correlation_id=event.correlation_id or event.id, causation_id=event.id, actor=actor
        )
        try:
            await change(handlers, CommandContext(metadata))
        except NotFound:
            log.warning(
                "an exhibitors event names an unknown interest",
                extra={"event": event.id, "type": event.event_type},
            )


async def schedule(conn: Connection, event: CloudEvent) -> None:
    """The follow-up's row as of `event`, unless it holds this version or a later one."""
    d, kind, version = event.data, event.event_type, event.stream_version
    if kind in ("FollowUpScheduled", "FollowUpRescheduled"):
        await conn.execute(
            """INSERT INTO follow_up_schedule AS s (follow_up_id, due_at, status, version)
               VALUES ($1, $2, 'SCHEDULED', $3)
               ON CONFLICT (follow_up_id) DO UPDATE SET due_at = EXCLUDED.due_at,
                                                      version = EXCLUDED.version
               WHERE s.version < EXCLUDED.version""",
            d["followUpId"],
            datetime.fromisoformat(d["dueAt"]),
            version,
        )
    elif kind in ("FollowUpCompleted", "FollowUpCancelled"):
        await conn.execute(
            """UPDATE follow_up_schedule SET status = $2, version = $3
               WHERE follow_up_id = $1 AND version < $3""",
            d["followUpId"],
            FollowUpStatus.COMPLETED if kind == "FollowUpCompleted" else FollowUpStatus.CANCELLED,
            version,
        )
    elif kind == "FollowUpBecameOverdue":
        await conn.execute(
            """UPDATE follow_up_schedule SET announced_for = $2, version = $3
               WHERE follow_up_id = $1 AND version < $3""",
            d["followUpId"],
            datetime.fromisoformat(d["dueAt"]),
            version,
        )
