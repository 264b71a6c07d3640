"""Where each event's personal values are, and whose they are: the declaration that
sealing (pavilion_core.personal) follows, derived from the event contracts.

Every property of every event schema (schemas/events) says whether it is personal
(`x-personal-data`); a schema with personal properties says whose they are with
`x-data-subject`, at the schema's top level and, where a nested object or array holds
someone else's data (the contact persons of an application), on that property — the
nearest declaration above a personal value is its subject's:

* `{"contact": "<property>"}` — the outreach contact whose id the property holds
  (subject `contact:<id>`);
* `{"person": {"email": "<property>", "scope": "<property>"}}` — a person known only by
  an address (an exhibitor's contact person, a mail recipient): the vault gives each
  (scope, address) a random subject of its own; `scope` is optional (one subject per
  address);
* `"record"` — values with no person behind them (a reason, a note, a payment
  reference): the record's own subject, `record:<stream id>`.

A property a rule names is looked up in the object holding the personal value, else at
the top of the event. `python -m pavilion_contracts.personal [--check]` writes (or
checks) personal.json, shipped in this package so that every service, the gateway and
the tools load the same declaration; a test fails when it is stale.
"""

import json
import sys
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

FILE = "personal.json"
SEALED_PATTERN = "^pii:1:.+:[A-Za-z0-9_-]+$"
EVENTS = Path("schemas/events")
ITEM = "[]"  # a path step into each item of an array


def derive(events: Path) -> dict[str, list[dict[str, Any]]]:
    """personal.json's content: per `<Type>.v<N>`, each personal value's path and rule."""
    derived: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(events.glob("*/*.schema.json")):
        schema = json.loads(path.read_text())
        name = ".".join(path.name.split(".")[:2])
        found = _personal(schema, [], schema.get("x-data-subject"), name)
        if found:
            derived[name] = found
    return derived


def _personal(schema: dict[str, Any], at: list[str], rule: Any, name: str) -> list[dict[str, Any]]:
    found = []
    for key, prop in schema.get("properties", {}).items():
        own = prop.get("x-data-subject", rule)
        path = [*at, key]
        if prop["x-personal-data"] is not False:
            if own is None:
                raise ValueError(f"{name}: {'.'.join(path)} is personal but has no x-data-subject")
            found.append({"path": path, "subject": own})
            continue
        if "items" in prop and "properties" in prop["items"]:
            found += _personal(prop["items"], [*path, ITEM], own, name)
        elif "properties" in prop:
            found += _personal(prop, path, own, name)
    return found


def wire_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An event schema as its events are stored and published: each personal value a
    sealed string (`pii:1:<subject>:<sealed>`) or null (its subject forgotten)."""
    wire = dict(schema)
    if "properties" in schema:
        wire["properties"] = {k: _wire_property(p) for k, p in schema["properties"].items()}
    return wire


def _wire_property(prop: dict[str, Any]) -> dict[str, Any]:
    if prop.get("x-personal-data") is not False:
        sealed = {"type": ["string", "null"], "pattern": SEALED_PATTERN}
        return {**sealed, "description": "sealed (pii:1:…) or null", "x-personal-data": True}
    if "items" in prop and isinstance(prop["items"], dict):
        return {**prop, "items": wire_schema(prop["items"])}
    return wire_schema(prop)


@cache
def declaration() -> dict[str, list[dict[str, Any]]]:
    """The shipped declaration (personal.json)."""
    loaded: dict[str, list[dict[str, Any]]] = json.loads(
        files("pavilion_contracts").joinpath(FILE).read_text()
    )
    return loaded


def render(events: Path = EVENTS) -> str:
    return json.dumps(derive(events), indent=1, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    """Write personal.json from schemas/events (run at the repository's root); with
    `--check`, only say whether it is current."""
    target = Path(str(files("pavilion_contracts").joinpath(FILE)))
    text = render()
    if "--check" in argv:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is stale: run python -m pavilion_contracts.personal")
            return 1
        return 0
    target.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
