"""How every mutation runs: check the caller's role, send the command to the owning
service, and answer once the read model shows the new version (read-your-writes,
bounded) — or at once with a consistency token when the input says `wait: false`."""

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

import strawberry
from pydantic.alias_generators import to_camel

from gateway.auth import STAFF, Role
from gateway.commands import Sent, UserError
from gateway.context import Context
from gateway.news import consistency_token
from gateway.nodes import load_node
from gateway.relay import BadInput, parse_global_id

T = TypeVar("T")
Info = strawberry.Info[Context, None]
GATEWAY_ONLY = frozenset({"idempotency_key", "wait"})


@strawberry.input
class CommandInput:
    idempotency_key: str | None = strawberry.field(
        default=None, description="Retrying with the same key returns the first result."
    )
    wait: bool = strawberry.field(
        default=True,
        description="Answer once queries show the change (else: a consistencyToken at once).",
    )


@strawberry.input
class ChangeInput(CommandInput):
    expected_version: int | None = strawberry.field(
        default=None, description="Refused with CONFLICT if the record has moved on."
    )


@strawberry.type
class Payload:
    """What every mutation answers besides the changed record."""

    version: int | None = None
    consistency_token: str | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


P = TypeVar("P", bound=Payload)


@dataclass
class Outcome(Generic[T]):
    node: T | None = None
    version: int | None = None
    consistency_token: str | None = None
    user_errors: list[UserError] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)

    def into(self, payload: type[P], name: str, **extra: Any) -> P:
        return payload(
            version=self.version,
            consistency_token=self.consistency_token,
            user_errors=self.user_errors,
            **{name: self.node},
            **extra,
        )


@dataclass(frozen=True)
class Command:
    service: str
    path: str
    changes: str  # the type of the record the command changes, e.g. "Exhibitor"
    roles: frozenset[Role] = STAFF
    owned: bool = False  # an EXHIBITOR may run it on its own application (the path's id)


async def run(info: Info, command: Command, input: CommandInput, *path: str) -> Outcome[Any]:
    """Send `command` with `input`; the input fields named in `path` fill its path."""
    ctx = info.context
    try:
        values = [_json(name, getattr(input, name)) for name in path]
        body = command_body(input, *path)
    except BadInput as exc:
        error = UserError(
            field=[str((exc.extensions or {}).get("field", "input"))],
            message=exc.message,
            code="VALIDATION",
        )
        return Outcome(user_errors=[error])
    if refusal := _refusal(ctx, command, values):
        return Outcome(user_errors=[refusal])
    sent = await ctx.services.commands.send(
        ctx.viewer, command.service, command.path.format(*values), body, input.idempotency_key
    )
    if not isinstance(sent, Sent):
        return Outcome(user_errors=sent)
    return await _shown(ctx, command, sent, input.wait)


def _refusal(ctx: Context, command: Command, ids: list[str]) -> UserError | None:
    viewer = ctx.viewer
    if viewer.role in command.roles:
        return None
    owner = command.owned and viewer.role is Role.EXHIBITOR
    if owner and ids and viewer.may_see_application(ids[0]):
        return None
    return UserError(field=None, message=f"a {viewer.role.value} may not do this", code="FORBIDDEN")


async def _shown(ctx: Context, command: Command, sent: Sent, wait: bool) -> Outcome[Any]:
    token = consistency_token(sent.id, sent.version)
    outcome: Outcome[Any] = Outcome(version=sent.version, consistency_token=token, answer=sent.body)
    if not wait:
        return outcome
    limits = ctx.services.limits
    if await ctx.services.news.wait_for(ctx.pool, sent.id, sent.version, limits.wait_seconds):
        outcome.node = await load_node(ctx, command.changes, sent.id)
    return outcome


def command_body(input: CommandInput, *path_fields: str) -> dict[str, Any]:
    """The input as the service's JSON body: camelCase, without what only the gateway
    reads or the path carries, ids as the records' own ids."""
    skipped = GATEWAY_ONLY | set(path_fields)
    return {
        to_camel(k): _json(k, v)
        for k, v in dataclasses.asdict(input).items()
        if k not in skipped and v is not None and v is not strawberry.UNSET
    }


def _json(name: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {to_camel(k): _json(k, v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_json(name, v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value.scaleb(2))  # amounts travel in minor units
    if name.endswith("_id") and isinstance(value, str):
        return parse_global_id(value)[1]
    return value
