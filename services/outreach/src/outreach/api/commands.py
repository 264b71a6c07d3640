"""The command API: a POST route per command of the outreach contract
(pavilion_contracts.outreach.commands), each answered by its registered handler. New
records get their id from the service (a retry with the same Idempotency-Key returns
the same one); every command takes `expectedVersion` and answers with the stream's new
version."""

from fastapi import Request
from pavilion_contracts.outreach.commands import COMMANDS
from pavilion_core.commanding import Dispatch, command_router


def _dispatch(request: Request) -> Dispatch:
    dispatch: Dispatch = request.app.state.services.dispatch
    return dispatch


router = command_router(COMMANDS, _dispatch)
