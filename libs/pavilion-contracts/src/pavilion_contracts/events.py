"""Each service's events as Python types, generated from their JSON Schemas
(schemas/events), which stay the one source integrators read and the compat check
guards.

`python -m pavilion_contracts.events [--check]` writes (or checks) one module per
service, `pavilion_contracts/<service>/events.py`: for each event type, its latest
version as a frozen dataclass (pavilion_core.aggregate.Event) whose fields are the
schema's properties, snake_case, in the schema's order (a property the schema does not
require is `X | None`, None when absent, after the required ones) and keyword-only (a
reordering of a schema's properties cannot swap a construction's values); `EVENTS`, the
types by name; and `from_data`, an event from its latest-version data. A test fails
when a module is stale.
"""

import json
import re
import sys
import textwrap
from importlib.resources import files
from pathlib import Path
from typing import Any

from pavilion_core.aggregate import camel

from pavilion_contracts.personal import EVENTS as SCHEMAS

MODULE = "events.py"
COMMAND = "python -m pavilion_contracts.events"
JSON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "dict[str, Any]",
}


def latest(service: Path) -> dict[str, dict[str, Any]]:
    """The latest version's schema of each event type of a service, by type name."""
    versions: dict[str, tuple[int, Path]] = {}
    for path in service.glob("*.schema.json"):
        name, version = path.name.split(".")[:2]
        versions[name] = max(versions.get(name, (0, path)), (int(version[1:]), path))
    return {name: json.loads(versions[name][1].read_text()) for name in sorted(versions)}


def python_type(prop: dict[str, Any]) -> str:
    """The Python type of a JSON Schema property."""
    if "enum" in prop and "type" not in prop:
        kinds = sorted({"null" if v is None else "string" for v in prop["enum"]}, reverse=True)
    else:
        kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
    spelled = [
        f"list[{python_type(prop.get('items', {'type': 'object'}))}]"
        if kind == "array"
        else "None"
        if kind == "null"
        else JSON_TYPES[kind]
        for kind in kinds
    ]
    return " | ".join(spelled)


def _optional(prop: dict[str, Any]) -> str:
    spelled = python_type(prop)
    return spelled if spelled.endswith("| None") else f"{spelled} | None"


def snake(name: str) -> str:
    snaked = re.sub("([A-Z])", r"_\1", name).lower()
    if camel(snaked) != name:
        raise ValueError(f"{name} does not round-trip as {snaked}")
    return snaked


def _docstring(text: str, indent: str) -> list[str]:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = textwrap.wrap(f'"""{text}', 96 - len(indent), break_on_hyphens=False)
    if len(lines) == 1 and len(indent + lines[0]) + 3 <= 100:
        return [f'{indent}{lines[0]}"""']
    return [indent + line for line in lines] + [f'{indent}"""']


def _dataclass(name: str, schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", ()))
    props = schema.get("properties", {})
    fields = [f"    {snake(k)}: {python_type(p)}" for k, p in props.items() if k in required]
    fields += [
        f"    {snake(k)}: {_optional(p)} = None" for k, p in props.items() if k not in required
    ]
    doc = _docstring(schema["description"], "    ") if "description" in schema else []
    return [
        "",
        "",
        "@dataclass(frozen=True, kw_only=True)",
        f"class {name}(Event):",
        *doc,
        *([""] if doc and fields else []),
        *(fields or ([] if doc else ["    pass"])),
    ]


def render(service: Path) -> str:
    """The events module of the service whose schemas are in `service`."""
    schemas = latest(service)
    classes = [line for name, schema in schemas.items() for line in _dataclass(name, schema)]
    names = [f'    "{name}": {name},' for name in schemas]
    lines = [
        f'"""The {service.name} service\'s events, each at its latest version: generated from',
        f'schemas/events by {COMMAND}; do not edit."""',
        "",
        "from collections.abc import Mapping",
        "from dataclasses import dataclass",
        "from typing import Any",
        "",
        "from pavilion_core.aggregate import Event",
        *classes,
        "",
        "",
        "EVENTS: dict[str, type[Event]] = {",
        *names,
        "}",
        "",
        "",
        "def from_data(event_type: str, data: Mapping[str, Any]) -> Event:",
        '    """The typed event of `event_type` from its (latest-version, unsealed) data."""',
        "    return EVENTS[event_type].from_data(data)",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Write each service's events module from schemas/events (run at the repository's
    root); with `--check`, only say whether they are current."""
    stale = 0
    for service in sorted(p for p in SCHEMAS.iterdir() if p.is_dir()):
        target = Path(str(files("pavilion_contracts").joinpath(service.name, MODULE)))
        text = render(service)
        if "--check" not in argv:
            target.write_text(text)
        elif not target.exists() or target.read_text() != text:
            print(f"{target} is stale: run {COMMAND}")
            stale = 1
    return stale


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
