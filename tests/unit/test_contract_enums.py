"""The public enums are defined once, in the services' contracts (pavilion_contracts):
every `enum` an event's JSON Schema spells out is the values of one of them, in order,
so a value added to a contract without its schema (or the other way round) fails here;
and the GraphQL enums are the same Python enums, not copies."""

import json
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import pavilion_contracts.exhibitors
import pavilion_contracts.notifications
import pavilion_contracts.outreach
import pytest
from gateway import enums as graphql_enums

EVENTS = Path(__file__).parents[2] / "schemas" / "events"
CONTRACTS: list[type[Enum]] = [
    getattr(module, name)
    for module in (
        pavilion_contracts.exhibitors,
        pavilion_contracts.outreach,
        pavilion_contracts.notifications,
    )
    for name in module.__all__
]
# Lists in the schemas that are no vocabulary of a contract, and why.
NOT_ENUMS = {
    # the names of notifications' reminder rules (data of notifications.rules)
    ("ReminderScheduled", "rule"),
    ("ReminderFired", "rule"),
}


def _enums(node: Any, at: str = "") -> Iterator[tuple[str, list[str]]]:
    if isinstance(node, dict):
        if "enum" in node:
            yield at, node["enum"]
        for key, value in node.items():
            yield from _enums(value, key if key not in ("properties", "items") else at)
    elif isinstance(node, list):
        for value in node:
            yield from _enums(value, at)


def _schema_enums() -> Iterator[Any]:
    for path in sorted(EVENTS.glob("*/*.schema.json")):
        event = path.name.split(".")[0]
        for field, values in _enums(json.loads(path.read_text())):
            if (event, field) not in NOT_ENUMS:
                yield pytest.param(values, id=f"{event}.{field}")


@pytest.mark.parametrize("values", list(_schema_enums()))
def test_every_enum_of_an_event_schema_is_a_contract_enum(values: list[str]) -> None:
    assert values in [[member.value for member in enum] for enum in CONTRACTS]


def test_the_graphql_enums_are_the_contracts_own() -> None:
    assert {getattr(graphql_enums, name) for name in graphql_enums.__all__} <= set(CONTRACTS)
