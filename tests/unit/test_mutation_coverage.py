"""Every command a service takes has its GraphQL mutation, and every mutation sends a
command the service takes: the services' own route tables (their OpenAPI documents; a
command is a POST route of a command API) against the commands each mutation of the
gateway declares it sends (`gateway.mutations.metadata`, in the field's metadata). A
command added to a service without its mutation fails here, and so does a mutation
whose route was renamed or removed, an input that lacks a field of its command's body,
and a README that does not list every mutation."""

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin
from uuid import UUID

import pytest
from exhibitors.api import create_app as exhibitors_api
from fastapi import FastAPI
from gateway.mutations import ID_KINDS
from gateway.schema import schema
from graphql import GraphQLInputObjectType, get_named_type
from notifications.api import create_app as notifications_api
from notifications.public import create_app as unsubscribe_pages
from outreach.api import create_app as outreach_api
from pavilion_contracts.exhibitors.commands import COMMANDS as EXHIBITORS
from pavilion_contracts.notifications.commands import COMMANDS as NOTIFICATIONS
from pavilion_contracts.outreach.commands import COMMANDS as OUTREACH
from pavilion_core.commanding import Command, Route

CONTRACTS = [c for contract in (EXHIBITORS, OUTREACH, NOTIFICATIONS) for c in contract.commands]
# The command APIs a client app reaches through the gateway, by service.
COMMAND_APIS: dict[str, Callable[[], FastAPI]] = {
    "exhibitors": exhibitors_api,
    "outreach": outreach_api,
    "notifications": notifications_api,
}
# POST routes that are no command of a command API, and why.
EXCLUDED: dict[Callable[[], FastAPI], str] = {
    # The recipient's own page, reached from the link in an email with a signed token:
    # published beside the gateway, never a client app's command.
    unsubscribe_pages: "the public unsubscribe page",
}
# POST routes of a command API that no client app may send, and why.
OPERATORS_ONLY: dict[tuple[str, str], str] = {
    # history with its original times: a token with the HISTORY privilege, which the
    # gateway never mints (exhibitors.api.history)
    ("exhibitors", "/history"): "python -m exhibitors.history",
}


def _route(path: str) -> str:
    """A path with its parameters unnamed, as the gateway's commands spell it."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _posts(app: FastAPI) -> set[str]:
    return {_route(path) for path, methods in app.openapi()["paths"].items() if "post" in methods}


def _services() -> set[tuple[str, str]]:
    return set(_bodies()) - set(OPERATORS_ONLY)


@cache
def _bodies() -> dict[tuple[str, str], frozenset[str]]:
    """Each command of each service, and the fields of its JSON body."""
    found = {}
    for service, api in COMMAND_APIS.items():
        document = api().openapi()
        for path, methods in document["paths"].items():
            if "post" in methods:
                found[service, _route(path)] = _fields(document, methods["post"])
    return found


def _fields(document: dict[str, Any], post: dict[str, Any]) -> frozenset[str]:
    body = post.get("requestBody", {}).get("content", {}).get("application/json", {})
    reference = body.get("schema", {}).get("$ref", "")
    schema = document["components"]["schemas"][reference.split("/")[-1]] if reference else {}
    return frozenset(schema.get("properties", {}))


def _mutations() -> dict[str, tuple[Route, ...]]:
    """Each mutation and the routes it declares it sends to."""
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    return {
        name: field.extensions["strawberry-definition"].metadata.get("routes", ())
        for name, field in mutation_type.fields.items()
    }


def _sent() -> dict[tuple[str, str], str]:
    return {
        (route.service, _route(route.path)): name
        for name, routes in _mutations().items()
        for route in routes
    }


def test_every_command_of_every_service_has_its_mutation() -> None:
    missing = _services() - set(_sent())
    assert not missing, f"commands without a mutation: {sorted(missing)}"


def test_every_mutation_sends_a_command_a_service_takes() -> None:
    silent = [name for name, routes in _mutations().items() if not routes]
    assert not silent, f"mutations that declare no command (gateway.mutations.metadata): {silent}"
    unknown = {route: name for route, name in _sent().items() if route not in _bodies()}
    assert not unknown, f"mutations sending a command no service takes: {unknown}"


@pytest.mark.parametrize("api", EXCLUDED)
def test_what_is_excluded_is_no_command_api(api: Callable[[], FastAPI]) -> None:
    """An excluded app takes no command a mutation sends (else it is no exclusion)."""
    assert _posts(api()), EXCLUDED[api]
    assert not {path for _, path in _sent()} & _posts(api())


@pytest.mark.parametrize("route", OPERATORS_ONLY)
def test_what_only_operators_send_is_a_route_no_mutation_sends(route: tuple[str, str]) -> None:
    assert route in _bodies() and route not in _sent(), OPERATORS_ONLY[route]


def test_the_readme_lists_every_mutation_and_no_other() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## The GraphQL API: every command", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("| ")]
    listed = set(re.findall(r"`(\w+)`", "\n".join(table)))
    assert listed == set(_mutations())


@pytest.mark.parametrize("name", sorted(_mutations()))
def test_a_mutations_input_has_the_fields_of_its_commands_body(name: str) -> None:
    """The input carries every field of the body (a new record has no version to
    expect), and besides them only what the gateway reads and the path's values."""
    mutation_type = schema._schema.mutation_type
    assert mutation_type is not None
    input_type = get_named_type(mutation_type.fields[name].args["input"].type)
    assert isinstance(input_type, GraphQLInputObjectType)
    fields = set(input_type.fields) - {"idempotencyKey", "wait"}
    for route in _mutations()[name]:
        body = _bodies()[route.service, _route(route.path)]
        assert body - fields <= {"expectedVersion"}, (name, sorted(body - fields))
        assert len(fields - body) == len(route.path_fields), (name, sorted(fields - body))


def _id_fields(annotation: Any) -> bool:
    """Whether a field's type is an id (or an optional one)."""
    return annotation is UUID or UUID in get_args(annotation)


@pytest.mark.parametrize("command", CONTRACTS, ids=lambda c: c.__name__)
def test_every_id_a_command_takes_is_one_the_gateway_can_decode(command: type[Command]) -> None:
    """A mutation's id arrives as a global id, decoded by its field's name (ID_KINDS):
    an id field the gateway does not know would be an INTERNAL error, and a list of
    ids would reach the service undecoded."""
    for name, field in command.model_fields.items():
        if _id_fields(field.annotation):
            assert name in ID_KINDS, f"{command.__name__}.{name}: add it to ID_KINDS"
        args = get_args(field.annotation)
        assert not any(UUID in (a, *get_args(a)) for a in args if get_origin(a) is list), (
            f"{command.__name__}.{name}: a list of ids is not decoded by the gateway"
        )
