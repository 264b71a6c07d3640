"""An input every mutation of a GraphQL schema accepts, made from the schema itself:
each required field given a plain value of its type, each id field the id of a record
of the kind it takes (gateway.mutations.ID_KINDS). The authorization tests send every
mutation with these, so a mutation added tomorrow is covered without a word here."""

from collections.abc import Callable
from typing import Any

from gateway.mutations import ID_KINDS
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
)
from pydantic.alias_generators import to_snake

SCALARS = {
    "String": "x",
    "Int": 1,
    "Boolean": True,
    "Date": "2026-01-01",
    "DateTime": "2026-01-01T09:00:00Z",
    "Decimal": "1.00",
}
# The global id of a record of the kind named.
Ids = Callable[[str], str]


def mutation_input(mutation: GraphQLField, ids: Ids) -> tuple[str, dict[str, Any]]:
    """The name of the mutation's input type, and an input of it."""
    input_type = mutation.args["input"].type
    assert isinstance(input_type, GraphQLNonNull)
    assert isinstance(input_type.of_type, GraphQLInputObjectType)
    return input_type.of_type.name, _input(input_type.of_type, ids)


def _input(kind: GraphQLInputObjectType, ids: Ids) -> dict[str, Any]:
    """Every required field of `kind` (none with a default)."""
    return {
        name: _value(name, field.type, ids)
        for name, field in kind.fields.items()
        if isinstance(field.type, GraphQLNonNull) and field.default_value is not None
    }


def _value(name: str, kind: GraphQLInputType, ids: Ids) -> Any:
    if isinstance(kind, GraphQLNonNull):
        return _value(name, kind.of_type, ids)
    if isinstance(kind, GraphQLList):
        return []
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        return _input(kind, ids)
    if kind.name == "ID":
        return ids(ID_KINDS[to_snake(name)][0])
    return SCALARS[kind.name]
