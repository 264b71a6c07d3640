"""Each service's event types are generated from its published schemas
(`python -m pavilion_contracts.events`): the shipped modules are current, their fields
are the latest version's properties, and a typed event reads back from its data."""

import dataclasses
import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pavilion_contracts import events as generator
from pavilion_core.aggregate import Event, camel

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas" / "events"
SERVICES = sorted(p.name for p in SCHEMAS.iterdir() if p.is_dir())


def _module(service: str) -> ModuleType:
    return importlib.import_module(f"pavilion_contracts.{service}.events")


@pytest.mark.parametrize("service", SERVICES)
def test_the_shipped_event_types_are_generated_from_the_current_schemas(service: str):
    shipped = Path(_module(service).__file__ or "").read_text()
    assert shipped == generator.render(SCHEMAS / service), (
        "stale: run python -m pavilion_contracts.events"
    )


@pytest.mark.parametrize("service", SERVICES)
def test_each_type_holds_its_latest_versions_properties(service: str):
    module = _module(service)
    latest = generator.latest(SCHEMAS / service)
    names = {p.name.split(".")[0] for p in (SCHEMAS / service).glob("*.schema.json")}
    assert set(module.EVENTS) == set(latest) == names
    for name, schema in latest.items():
        kind = module.EVENTS[name]
        assert issubclass(kind, Event) and kind.__name__ == name
        fields = {camel(f.name) for f in dataclasses.fields(kind)}
        assert fields == set(schema["properties"]), name


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"description": "A thing happened.", "required": required, "properties": properties}


def _generate(tmp_path: Path, schemas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    service = tmp_path / "svc"
    service.mkdir()
    for name, schema in schemas.items():
        (service / f"{name}.schema.json").write_text(json.dumps(schema))
    namespace: dict[str, Any] = {}
    exec(compile(generator.render(service), "svc/events.py", "exec"), namespace)
    return namespace


def test_a_type_is_its_latest_version_with_python_types_and_optional_fields_last(tmp_path):
    thing = {
        "thingId": {"type": "string"},
        "note": {"type": ["string", "null"]},
        "zone": {"type": "string"},
        "size": {"type": "integer"},
        "ratio": {"type": "number"},
        "kind": {"enum": ["A", "B"]},
        "tags": {"type": "array", "items": {"type": "string"}},
        "stops": {"type": "array", "items": {"type": "object", "properties": {}}},
        "where": {"type": ["object", "null"], "properties": {}},
        "done": {"type": "boolean"},
    }
    required = [k for k in thing if k != "zone"]
    generated = _generate(tmp_path, {
        "Thing.v1": _schema({"thingId": {"type": "string"}}, ["thingId"]),
        "Thing.v2": _schema(thing, required),
    })  # fmt: skip
    kind = generated["EVENTS"]["Thing"]
    assert kind.__doc__ == "A thing happened."
    assert [(f.name, f.type) for f in dataclasses.fields(kind)] == [
        ("thing_id", str),
        ("note", str | None),
        ("size", int),
        ("ratio", float),
        ("kind", str),
        ("tags", list[str]),
        ("stops", list[dict[str, Any]]),
        ("where", dict[str, Any] | None),
        ("done", bool),
        ("zone", str | None),
    ]
    data = {"thingId": "t", "note": None, "size": 2, "ratio": 0.5, "kind": "A", "tags": [],
            "stops": [], "where": None, "done": True}  # fmt: skip
    made = generated["from_data"]("Thing", data)
    assert made.zone is None and made.as_data() == {**data, "zone": None}
    with pytest.raises(TypeError, match="positional"):  # keywords only: order cannot swap
        kind(*data.values())


@pytest.mark.parametrize("service", SERVICES)
def test_every_typed_event_reads_back_from_its_data(service: str):
    module = _module(service)
    for name, kind in module.EVENTS.items():
        event = kind(**{f.name: f"<{f.name}>" for f in dataclasses.fields(kind)})
        assert module.from_data(name, event.as_data()) == event


def test_a_property_the_type_does_not_know_is_left_out_and_a_missing_one_refused():
    """An optional property added within a version is read past by older readers."""
    retired = {"edition": "E-2027", "hall": "A", "boothCode": "1", "since": "2026"}
    assert _module("exhibitors").from_data("BoothRetired", retired).as_data() == {
        k: v for k, v in retired.items() if k != "since"
    }
    with pytest.raises(TypeError, match="booth_code"):
        _module("exhibitors").from_data(
            "BoothRetired", {"edition": "E-2027", "hall": "A", "boothNumber": "1"}
        )
