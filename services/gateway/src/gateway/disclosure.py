"""What of each event anyone may see, derived from the event contracts.

Every property of every event schema (schemas/events) declares `x-personal-data`, and
every schema its stream's kind of record (`x-stream`). `python -m gateway.cli
disclosure` turns them into disclosure.json, shipped with the gateway (a test fails when
it is stale). Redaction is an allow-list built from it: a property is shown to a
VIEWER only if its schema says it is not personal, so a field nobody declared — of a
new event type, a new version, or nested in an object — stays hidden.
"""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

# A shape: for each property that may be shown, True (as it is) or the shape of the
# object it holds (an array's items take the shape of the array's property).
Shape = dict[str, Any]
FILE = "disclosure.json"


@dataclass(frozen=True)
class Disclosure:
    streams: dict[str, tuple[str, ...]]  # event type → the kinds of record it is about
    public: dict[str, Shape]  # event type → what is not personal

    def redact(self, event_type: str, data: Any) -> Any:
        """`data` with only what the contract declares not personal (nothing of an
        unknown event type)."""
        return _keep(self.public.get(event_type, {}), data)

    def stream_kinds(self, event_type: str) -> tuple[str, ...]:
        return self.streams.get(event_type, ())


def _keep(shape: Shape, value: Any) -> Any:
    if isinstance(value, list):
        return [_keep(shape, item) for item in value]
    if not isinstance(value, dict):
        return None
    kept = {}
    for key, item in value.items():
        rule = shape.get(key)
        if rule is True:
            kept[key] = item
        elif isinstance(rule, dict):
            kept[key] = _keep(rule, item)
    return kept


@cache
def disclosure() -> Disclosure:
    raw = json.loads(files("gateway").joinpath(FILE).read_text())
    return Disclosure(
        streams={t: tuple(e["streams"]) for t, e in raw.items()},
        public={t: e["public"] for t, e in raw.items()},
    )


def derive(events: Path) -> dict[str, Any]:
    """disclosure.json's content from the schemas under `events` (<service>/*.json).
    Two versions of one event type show only what both declare public."""
    derived: dict[str, Any] = {}
    for path in sorted(events.glob("*/*.schema.json")):
        schema = json.loads(path.read_text())
        name = path.name.split(".")[0]
        stream = schema["x-stream"]
        public = _public(schema)
        if name in derived:
            public = _both(derived[name]["public"], public)
        derived[name] = {
            "streams": [stream] if isinstance(stream, str) else stream,
            "public": public,
        }
    return derived


def _public(schema: dict[str, Any]) -> Shape:
    shape: Shape = {}
    for key, prop in schema.get("properties", {}).items():
        if prop["x-personal-data"] is not False:
            continue
        nested = prop.get("items", prop)
        shape[key] = _public(nested) if "properties" in nested else True
    return shape


def _both(one: Shape, other: Shape) -> Shape:
    both: Shape = {}
    for key in one.keys() & other.keys():
        a, b = one[key], other[key]
        if a is True and b is True:
            both[key] = True
        elif isinstance(a, dict) and isinstance(b, dict):
            both[key] = _both(a, b)
    return both
