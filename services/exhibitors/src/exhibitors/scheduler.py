"""The expiry sweep: every re-booking offer past its deadline and still unanswered
expires, and the booth it held goes to the edition's waitlist. Safe to run twice or in
several instances at once: the offer's stream decides (an expired one expires nothing
more), and concurrent sweeps conflict on its version, the loser deciding again."""

import logging
import uuid

from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import CommandContext

from exhibitors.rebooking import Rebooking

log = logging.getLogger(__name__)


async def expire_offers(rebooking: Rebooking) -> int:
    """One pass; returns how many offers it expired."""
    ctx = CommandContext(
        Metadata(correlation_id=f"rebooking-expiry-{uuid.uuid4()}", actor="exhibitors:expiry")
    )
    expired = await rebooking.expire_due(ctx)
    if expired:
        log.info("re-booking offers expired", extra={"count": expired})
    return expired
