"""The overdue job: announces FollowUpBecameOverdue for every follow-up past its due
time, once per due time. Safe to run twice or in several instances at once: the
follow-up's stream decides (an announced one announces nothing more) and concurrent
announcements conflict on its version, the loser deciding again on fresh state."""

import logging
import uuid

from pavilion_core.db import Pool
from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import CommandContext

from outreach.handlers import Handlers

log = logging.getLogger(__name__)


async def announce_overdue(pool: Pool, handlers: Handlers) -> int:
    """One pass; returns how many follow-ups it announced."""
    now = handlers.clock.now()
    due = await pool.fetch(
        """SELECT follow_up_id FROM follow_up_schedule
           WHERE status = 'SCHEDULED' AND due_at < $1
             AND announced_for IS DISTINCT FROM due_at""",
        now,
    )
    ctx = CommandContext(
        Metadata(correlation_id=f"overdue-{uuid.uuid4()}", actor="outreach:overdue")
    )
    announced = 0
    for row in due:
        result = await handlers.announce_overdue(str(row["follow_up_id"]), ctx)
        announced += bool(result.event_ids)
    if announced:
        log.info("follow-ups announced overdue", extra={"count": announced})
    return announced
