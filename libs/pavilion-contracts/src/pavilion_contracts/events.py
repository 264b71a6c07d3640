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
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

from pavilion_contracts.codegen import dataclass_lines, write
from pavilion_contracts.personal import EVENTS as SCHEMAS

MODULE = "events.py"
COMMAND = "python -m pavilion_contracts.events"


def latest(service: Path) -> dict[str, dict[str, Any]]:
    """The latest version's schema of each event type of a service, by type name."""
    versions: dict[str, tuple[int, Path]] = {}
    for path in service.glob("*.schema.json"):
        name, version = path.name.split(".")[:2]
        versions[name] = max(versions.get(name, (0, path)), (int(version[1:]), path))
    return {name: json.loads(versions[name][1].read_text()) for name in sorted(versions)}


def render(service: Path) -> str:
    """The events module of the service whose schemas are in `service`."""
    schemas = latest(service)
    classes = [
        line for name, schema in schemas.items() for line in dataclass_lines(name, schema, "Event")
    ]
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
    services = sorted(p for p in SCHEMAS.iterdir() if p.is_dir())
    modules = {
        Path(str(files("pavilion_contracts").joinpath(service.name, MODULE))): render(service)
        for service in services
    }
    return write(modules, argv, COMMAND)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
