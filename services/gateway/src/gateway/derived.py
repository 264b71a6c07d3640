"""Mutations derived from the services' commands (pavilion_core.commanding): each
command's model in its service's contract is the one list of its fields, and its
GraphQL input is made from it here — camelCase names, the model's defaults and
descriptions, ids as global ids, amounts in the currency's units, the contract's
enums. Nothing here spells a command's fields.

Commands that share a mutation (addNote on each kind of record) are sent by the kind
of the record their first path field names."""

import types
from collections.abc import Callable, Mapping
from copy import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin
from uuid import UUID

import strawberry
from pavilion_core.bodies import Body, MinorUnits
from pavilion_core.commanding import Command, Contract, Route
from pydantic import EmailStr
from pydantic.alias_generators import to_snake
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from gateway import enums  # noqa: F401  (the contract's enums, made GraphQL enums)
from gateway.mutations import CommandInput, Payload, mutation

AMOUNT = "In the currency's units, e.g. 80000.00"
_SCALARS = (str, int, bool, float, date, datetime)


@dataclass(frozen=True)
class Answer:
    """What a mutation answers: its payload, with the changed record as its field `name`
    and the fields `answered` as the service answered them (a secret shown once)."""

    payload: type[Payload]
    name: str | None
    answered: tuple[str, ...] = ()


def mutations(
    contract: Contract, answers: Mapping[str, Answer], *, besides: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """A strawberry mutation per mutation name of `contract` (but those in `besides`,
    which the caller resolves itself), answered as `answers` says for the kind of record
    its command changes (its name when it has no record)."""
    by_name: dict[str, list[type[Command]]] = {}
    for command in contract.commands:
        if command.route.mutation not in besides:
            by_name.setdefault(command.route.mutation, []).append(command)
    fields = {}
    for name, commands in by_name.items():
        first = commands[0].route
        answer = answers[first.changes or name] if len(commands) == 1 else answers[name]
        route: Route | dict[str, Route] = first if len(commands) == 1 else _by_kind(commands)
        fields[to_snake(name)] = mutation(
            route,
            _shared_input(commands),
            answer.payload,
            answer.name,
            answered=answer.answered,
            description=first.description,
            graphql_name=name,
        )
    return fields


def _by_kind(commands: list[type[Command]]) -> dict[str, Route]:
    """The routes of the commands that share a mutation, one per kind of record."""
    routes = {c.route.changes: c.route for c in commands}
    if len(routes) != len(commands) or "" in routes:
        raise TypeError(f"{commands[0].route.mutation}: each command must change its own kind")
    return routes


def _shared_input(commands: list[type[Command]]) -> type[CommandInput]:
    """The one input of the commands that share a mutation (made of the same fields)."""
    made = {input_of(command) for command in commands}
    if len(made) != 1:
        raise TypeError(f"{commands[0].route.mutation}: its commands must share one input")
    return made.pop()


T = TypeVar("T")


def including(fields: Mapping[str, Any]) -> Callable[[type[T]], type[T]]:
    """Adds `fields` (e.g. `mutations(...)`) to the decorated class, for `strawberry.type`
    to make them fields of the type beside those the class spells."""

    def add(cls: type[T]) -> type[T]:
        for name, field in fields.items():
            if hasattr(cls, name):
                raise TypeError(f"{cls.__name__} already has {name}")
            setattr(cls, name, field)
        return cls

    return add


def input_of(command: type[Command]) -> type[CommandInput]:
    """The GraphQL input of `command`: the gateway's own fields (idempotency key, wait)
    and the command's, but `expectedVersion` where there is no version to expect."""
    made: type[CommandInput] = _input(
        command.route.input_name, command, CommandInput, _unversioned(command)
    )
    return made


def plain_input_of(command: type[Command]) -> Any:
    """The GraphQL input of a command that a resolver of its own sends: the command's
    fields only (no idempotency key, no wait)."""
    return _input(command.route.input_name, command, object, _unversioned(command))


def _unversioned(command: type[Command]) -> tuple[str, ...]:
    """`expectedVersion` is for a change of a record the caller can read the version of:
    not for a new one, nor where the command changes no record of the GraphQL API."""
    route = command.route
    return ("expected_version",) if route.creates or not route.changes else ()


_INPUTS: dict[str, tuple[Any, Any]] = {}  # each input made: its fields, and its type


def _input(name: str, model: type[Body], base: type, skipped: tuple[str, ...] = ()) -> Any:
    """The input `name` made of `model`'s fields; commands that share it share the type,
    and must have the same fields (and base)."""
    fields = {k: f for k, f in model.model_fields.items() if k not in skipped}
    shape = [base, *((k, repr(f.annotation), f.metadata, f.default) for k, f in fields.items())]
    if name in _INPUTS:
        made_of, made = _INPUTS[name]
        if made_of != shape:
            raise TypeError(f"{model.__name__} does not have the fields of the input {name}")
        return made
    namespace: dict[str, Any] = {"__annotations__": {}}
    for field_name, field in fields.items():
        namespace["__annotations__"][field_name] = _graphql(field.annotation, field.metadata)
        namespace[field_name] = _field(field)
    route: Route | None = getattr(model, "route", None)
    shared = route is not None and route.input  # several commands': none's docstring
    doc = None if shared or model.__doc__ in (Body.__doc__, Command.__doc__) else model.__doc__
    made = strawberry.input(type(name, (base,), namespace), name=name, description=doc)
    _INPUTS[name] = (shape, made)
    return made


def _field(field: FieldInfo) -> Any:
    description = field.description
    if any(isinstance(m, MinorUnits) for m in field.metadata):
        description = AMOUNT
    if field.default_factory is not None:
        factory: Any = field.default_factory
        return strawberry.field(default_factory=factory, description=description)
    if field.default is not PydanticUndefined:
        default = field.default.value if isinstance(field.default, Enum) else field.default
        if isinstance(default, list | dict | set):  # pydantic copies these; a dataclass won't
            return strawberry.field(default_factory=partial(copy, default), description=description)
        return strawberry.field(default=default, description=description)
    return strawberry.field(description=description)


def _graphql(annotation: Any, metadata: list[Any] = []) -> Any:  # noqa: B006 (never changed)
    """The GraphQL type of a model's field type."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _graphql(args[0], [*metadata, *args[1:]])
    if origin in (Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        return _graphql(inner, metadata) | None
    if origin in (list, tuple, set, frozenset):
        return list[_graphql(args[0])]  # type: ignore[misc]
    if annotation is UUID:
        return strawberry.ID
    if annotation is int and any(isinstance(m, MinorUnits) for m in metadata):
        return Decimal
    if annotation is EmailStr:
        return str
    if isinstance(annotation, type) and issubclass(annotation, Body):
        return _input(_input_name(annotation), annotation, object)
    if isinstance(annotation, type) and issubclass(annotation, (Enum, *_SCALARS)):
        return annotation
    raise TypeError(f"no GraphQL type for {annotation!r}")


def _input_name(model: type[Body]) -> str:
    """A nested body's input: `graphql_name` if it says, else `<Name>Input` (`In` off)."""
    named: str | None = getattr(model, "graphql_name", None)
    return named or f"{model.__name__.removesuffix('In')}Input"
