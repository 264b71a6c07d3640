"""How every mutation runs: check the caller's role, send the command to the owning
service, and answer once the read model shows the new version (read-your-writes,
bounded) — or at once with a consistency token when the input says `wait: false`.

Every command goes with an idempotency key: the client's, or one minted here when it
sent none. The payload (and an UNAVAILABLE error's extensions) hand it back, so that a
change whose answer was lost can be retried with it and is made once."""

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar
from urllib.parse import quote
from uuid import UUID, uuid4

import strawberry
from graphql import GraphQLError
from pavilion_core.http import HEADER_ID
from pydantic.alias_generators import to_camel

from gateway.auth import STAFF, Role
from gateway.commands import Sent, UserError
from gateway.context import Context
from gateway.news import consistency_token
from gateway.nodes import load_node
from gateway.policy import NotFound, Ref, decode, may_see
from gateway.relay import BadInput

T = TypeVar("T")
Info = strawberry.Info[Context, None]
GATEWAY_ONLY = frozenset({"idempotency_key", "wait"})
CENT, MAX_AMOUNT = Decimal("0.01"), Decimal(10) ** 15
SEGMENT = re.compile(r"^[A-Za-z0-9._~-]{1,100}$")
# What each id of a mutation's input must be the id of.
ID_KINDS: dict[str, tuple[str, ...]] = {
    "application_id": ("Exhibitor",),
    "organization_id": ("Organization",),
    "source_interest_id": ("Interest",),
    "contact_id": ("Contact",),
    "leader_id": ("Contact",),
    "delegation_id": ("Delegation",),
    "trip_id": ("Trip",),
    "event_id": ("OutreachEvent",),
    "source_event_id": ("OutreachEvent",),
    "interest_id": ("Interest",),
    "subject_id": ("Interest", "Contact", "Organization"),
    "follow_up_id": ("FollowUp",),
    "endpoint_id": ("WebhookEndpoint",),
    "delivery_id": ("WebhookDelivery",),
}


@strawberry.input
class CommandInput:
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Your key for this change (one is minted when you send none): a retry "
        "with it returns the first result while the key is kept (24 hours by default). "
        "Keys are yours alone: another caller's same key is their own.",
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
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="The key the change was sent with (yours, or minted): retry with it.",
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


P = TypeVar("P", bound=Payload)


@dataclass
class Outcome(Generic[T]):
    node: T | None = None
    version: int | None = None
    consistency_token: str | None = None
    idempotency_key: str | None = None
    user_errors: list[UserError] = field(default_factory=list)
    answer: dict[str, Any] = field(default_factory=dict)

    def into(self, payload: type[P], name: str, **extra: Any) -> P:
        return payload(
            version=self.version,
            consistency_token=self.consistency_token,
            idempotency_key=self.idempotency_key,
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
    """Send `command` with `input`; the input fields named in `path` fill its path,
    each one segment of letters, digits and -._~ (and percent-encoded all the same)."""
    ctx = info.context
    if not _may_try(ctx, command):
        return Outcome(user_errors=[forbidden(ctx)])
    try:
        values = [_segment(name, _json(name, getattr(input, name))) for name in path]
        body = command_body(input, *path)
        key = _idempotency_key(input.idempotency_key)
    except (BadInput, NotFound) as exc:
        return Outcome(user_errors=[user_error(exc)])
    if not _may_run(ctx, command, values):
        return Outcome(user_errors=[forbidden(ctx)])
    target = command.path.format(*(quote(value, safe="") for value in values))
    sent = await ctx.services.commands.send(ctx.viewer, command.service, target, body, key)
    if not isinstance(sent, Sent):
        return Outcome(idempotency_key=key, user_errors=sent)
    return await _shown(ctx, command, sent, key, input.wait)


def _segment(name: str, value: Any) -> str:
    """A value that can only be one path segment: no "/", no "." or "..", nothing to
    normalise away; ids and codes are made of these."""
    text = str(value)
    if not SEGMENT.match(text) or text in (".", ".."):
        raise BadInput(f"{to_camel(name)} may hold letters, digits and -._~ only", name)
    return text


def _may_try(ctx: Context, command: Command) -> bool:
    role = ctx.viewer.role
    return role in command.roles or (command.owned and role is Role.EXHIBITOR)


def _may_run(ctx: Context, command: Command, ids: list[str]) -> bool:
    """An EXHIBITOR runs an owned command only on its own application (the path's id)."""
    if ctx.viewer.role in command.roles:
        return True
    return bool(ids) and may_see(ctx.viewer, "Exhibitor", ids[0])


def forbidden(ctx: Context) -> UserError:
    return UserError(
        field=None, message=f"a {ctx.viewer.role.value} may not do this", code="FORBIDDEN"
    )


def user_error(error: GraphQLError) -> UserError:
    extensions = error.extensions or {}
    field = to_camel(str(extensions.get("field", "input")))
    return UserError(field=[field], message=error.message, code=str(extensions["code"]))


def _idempotency_key(key: str | None) -> str:
    """The client's key, or a new one when it sent none."""
    if key is None:
        return f"gateway:{uuid4()}"
    if not HEADER_ID.match(key):
        raise BadInput(
            "the idempotency key must be 1-200 printable ASCII characters, no spaces",
            "idempotencyKey",
        )
    return key


async def _shown(ctx: Context, command: Command, sent: Sent, key: str, wait: bool) -> Outcome[Any]:
    token = consistency_token(sent.streams)
    outcome: Outcome[Any] = Outcome(
        version=sent.version, consistency_token=token, idempotency_key=key, answer=sent.body
    )
    if not wait or not command.changes:
        return outcome
    limits = ctx.services.limits
    if await ctx.services.news.wait_for(ctx.pool, sent.streams, limits.wait_seconds):
        outcome.node = await load_node(ctx, Ref(command.changes, UUID(sent.id)))
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


def minor_units(name: str, amount: Decimal) -> int:
    """An amount in the currency's units as the minor units it travels in (cents):
    refused, never rounded, when it is not a number with at most two decimals. The
    bound keeps the arithmetic exact; the services set the real limits."""
    in_range = amount.is_finite() and amount.copy_abs() < MAX_AMOUNT
    if not in_range or amount != amount.quantize(CENT):
        raise BadInput("the amount must be a number with at most two decimals", name)
    return int(amount.scaleb(2))


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
        return minor_units(name, value)
    if name.endswith("_id") and isinstance(value, str):
        return decode(value, *ID_KINDS[name], field=name).local
    return value
