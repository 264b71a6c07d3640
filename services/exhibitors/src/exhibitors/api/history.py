"""History imported from an older CRM: `POST /history` runs one contract command as of
the time it originally happened (python -m exhibitors.history sends a file of them).

The command's own handler decides, with "now" the entry's time, so the aggregates'
rules apply as they did then; every event it appends carries that time in its metadata
(`occurred_at`), apart from the time it is recorded. Refused, changing nothing: an
entry in the future, a command that is not the contract's or is done live only
(re-booking, forgetting: NOT_HISTORY), a body the command refuses,
an entry earlier than what a stream it changes already records (OUT_OF_ORDER). The
entry's `key` is its idempotency key, kept for good: the same entry sent again is
answered with its first result and adds nothing. Only a service token granting the
HISTORY privilege may call it (the gateway's never does)."""

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors.commands import COMMANDS
from pavilion_core.bodies import ACCEPTED, Accepted
from pavilion_core.commanding import Command
from pavilion_core.errors import InvalidValue
from pavilion_core.eventstore import CommandContext, request_hash
from pavilion_core.http import accepted, request_metadata
from pavilion_core.service_tokens import HISTORY, requires
from pydantic import ValidationError

from exhibitors.bootstrap import Services
from exhibitors.history import HistoryEntry

# Not history: a re-booking offer's deadline runs on the service's own sweep, live (one
# imported would expire now, not when it did, and notify), and forgetting someone is done
# now, never back-dated.
NOT_HISTORY = frozenset({c.OfferRebooking, c.AcceptRebooking, c.DeclineRebooking, c.ForgetContact})
BY_NAME: dict[str, type[Command]] = {command.__name__: command for command in COMMANDS.commands}
router = APIRouter(tags=["history"])


@router.post("/history", dependencies=[requires(HISTORY)], **ACCEPTED)
async def import_history(entry: HistoryEntry, request: Request) -> Accepted:
    services: Services = request.app.state.services
    if entry.occurred_at > services.handlers.clock.now():
        raise InvalidValue("occurredAt", f"{entry.occurred_at.isoformat()} is in the future")
    command = BY_NAME.get(entry.command)
    if command is None:
        raise InvalidValue("command", f"{entry.command!r} is no command of the exhibitors service")
    if command in NOT_HISTORY:
        raise InvalidValue("command", f"{entry.command} is done live, not imported as history")
    try:
        cmd = command.model_validate(entry.body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        ) from exc
    ctx = CommandContext(
        metadata=request_metadata(request),
        expected_version=cmd.expected_version,
        idempotency_key=entry.key,
        fingerprint=request_hash(entry.model_dump(mode="json")),
        occurred_at=entry.occurred_at,
    )
    return accepted(request, await services.dispatch[command](cmd, ctx))
