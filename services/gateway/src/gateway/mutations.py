"""How every mutation runs: check the caller's role, send the command to the owning
service, and answer once the read model shows the new version (read-your-writes,
bounded) — or at once with a consistency token when the input says `wait: false`.

Every command goes with an idempotency key: the client's, or one minted here when it
sent none. The payload (and an UNAVAILABLE error's extensions) hand it back, so that a
change whose answer was lost can be retried with it and is made once."""

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar
from urllib.parse import quote
from uuid import UUID, uuid4

import strawberry
from graphql import GraphQLError
from pavilion_core.commanding import Route
from pavilion_core.http import HEADER_ID
from pydantic.alias_generators import to_camel

from gateway.commands import Sent, UserError
from gateway.context import Context
from gateway.news import consistency_token
from gateway.nodes import load_node
from gateway.policy import NotFound, Ref, decode, may_change, may_try
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
    "record_id": ("Organization", "Contact", "OutreachEvent", "Interest"),
    "survivor_id": ("Organization", "Contact"),
    "follow_up_id": ("FollowUp",),
    "endpoint_id": ("WebhookEndpoint",),
    "delivery_id": ("WebhookDelivery",),
    "offer_id": ("RebookingOffer",),
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

    def into(self, payload: type[P], name: str | None, answered: tuple[str, ...] = ()) -> P:
        """`payload` with the changed record as its field `name` and the fields named
        in `answered` as the service answered them."""
        fields = {f: self.answer.get(to_camel(f)) for f in answered}
        if name:
            fields[name] = self.node
        return payload(
            version=self.version,
            consistency_token=self.consistency_token,
            idempotency_key=self.idempotency_key,
            user_errors=self.user_errors,
            **fields,
        )


# A command, or one per kind of the record the input's first path id names (addNote).
Sends = Route | Mapping[str, Route]


async def run(info: Info, sends: Sends, input: CommandInput) -> Outcome[Any]:
    """Send the command with `input`; the input fields its route's path names fill it,
    each one segment of letters, digits and -._~ (and percent-encoded all the same)."""
    ctx, mutation = info.context, info.field_name
    if not may_try(ctx.viewer, mutation):
        return Outcome(user_errors=[forbidden(ctx)])
    path = _path_fields(sends)
    try:
        record = _record(input, path)
        values = {name: _segment(name, _json(name, getattr(input, name))) for name in path}
        body = command_body(input, *path)
        key = _idempotency_key(input.idempotency_key)
    except (BadInput, NotFound) as exc:
        return Outcome(user_errors=[user_error(exc)])
    if not may_change(ctx.viewer, mutation, record):
        return Outcome(user_errors=[forbidden(ctx)])
    route = _route(sends, record)
    target = route.path.format(**{name: quote(v, safe="") for name, v in values.items()})
    sent = await ctx.services.commands.send(ctx.viewer, route.service, target, body, key)
    if not isinstance(sent, Sent):
        return Outcome(idempotency_key=key, user_errors=sent)
    return await _shown(ctx, route, sent, key, input.wait)


def metadata(sends: Sends) -> dict[str, tuple[Route, ...]]:
    """A mutation's metadata: the routes it sends to (tests compare them with the
    services' routes)."""
    return {"routes": (sends,) if isinstance(sends, Route) else tuple(sends.values())}


def mutation(
    sends: Sends,
    input: type[CommandInput],
    payload: type[P],
    name: str | None,
    *,
    answered: tuple[str, ...] = (),
    description: str | None = None,
    graphql_name: str | None = None,
) -> Any:
    """A mutation that sends its `input` to `sends` and answers `payload`: the changed
    record as its field `name`, and the fields `answered` from the service's answer (a
    secret shown once)."""

    async def resolve(self: Any, info: Info, input: CommandInput) -> P:
        return (await run(info, sends, input)).into(payload, name, answered)

    resolve.__annotations__ = {"info": Info, "input": input, "return": payload}
    return strawberry.mutation(
        resolver=resolve, name=graphql_name, description=description, metadata=metadata(sends)
    )


def _path_fields(sends: Sends) -> tuple[str, ...]:
    routes = [sends] if isinstance(sends, Route) else list(sends.values())
    (fields,) = {route.path_fields for route in routes}  # by kind: the same fields
    return fields


def _route(sends: Sends, record: Ref | None) -> Route:
    """The route of `sends` for the record reached (addNote's: the record's kind)."""
    if isinstance(sends, Route):
        return sends
    assert record is not None, "a route by kind takes an id as its first path value"
    return sends[record.kind]


def _record(input: CommandInput, path: tuple[str, ...]) -> Ref | None:
    """The record the input's first path value is the id of (None for codes)."""
    if not path or path[0] not in ID_KINDS:
        return None
    return decode(getattr(input, path[0]), *ID_KINDS[path[0]], field=path[0])


def _segment(name: str, value: Any) -> str:
    """A value that can only be one path segment: no "/", no "." or "..", nothing to
    normalise away; ids and codes are made of these."""
    text = str(value)
    if not SEGMENT.match(text) or text in (".", ".."):
        raise BadInput(f"{to_camel(name)} may hold letters, digits and -._~ only", name)
    return text


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


async def _shown(ctx: Context, route: Route, sent: Sent, key: str, wait: bool) -> Outcome[Any]:
    token = consistency_token(sent.streams) if sent.streams else None
    outcome: Outcome[Any] = Outcome(
        version=sent.version, consistency_token=token, idempotency_key=key, answer=sent.body
    )
    if not wait or not route.changes or sent.id is None:
        return outcome
    limits = ctx.services.limits
    if await ctx.services.news.wait_for(ctx.pool, sent.streams, limits.wait_seconds):
        outcome.node = await load_node(ctx, Ref(route.changes, UUID(sent.id)))
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
