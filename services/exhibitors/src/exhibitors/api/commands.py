"""The command API: a POST route per command of the contract
(pavilion_contracts.exhibitors.commands), made by pavilion_core.commanding. Each takes
`expectedVersion` in its body and an optional `Idempotency-Key` header, and answers
with the stream's new version."""

from fastapi import Request
from pavilion_contracts.exhibitors.commands import COMMANDS
from pavilion_core.commanding import Dispatch, command_router

from exhibitors.bootstrap import Services


def _dispatch(request: Request) -> Dispatch:
    services: Services = request.app.state.services
    return services.dispatch


router = command_router(COMMANDS, _dispatch)
