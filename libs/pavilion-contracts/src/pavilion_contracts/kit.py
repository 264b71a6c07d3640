"""The integrator kit's event types (libs/pavilion-kit, distribution `pavilion-kit`),
generated from the published schemas (schemas/events) as the events travel on the
topics.

`python -m pavilion_contracts.kit [--check]` writes (or checks), at the repository's
root, one module per service, `pavilion_kit/events/<service>.py`: for each event type
and each published version, a frozen dataclass `<Type>V<N>` (pavilion_kit.event.Event)
whose fields are that version's properties as pavilion_contracts.codegen spells them,
except that a personal property (`x-personal-data`) is `str | None`, the sealed value
or null that the topics carry (pavilion_contracts.personal.wire_schema); and `EVENTS`,
the types by `ce_type`. `pavilion_kit/events/__init__.py` gathers every service's
`EVENTS` and names each service's topic. The kit depends on no Pavilion package, so
these modules import only the kit. A test fails when one is stale.
"""

import json
import sys
from pathlib import Path

from pavilion_contracts.codegen import dataclass_lines, write
from pavilion_contracts.personal import EVENTS as SCHEMAS
from pavilion_contracts.personal import wire_schema

KIT = Path("libs/pavilion-kit/src/pavilion_kit/events")
COMMAND = "python -m pavilion_contracts.kit"
HEADER = f"Generated from schemas/events by {COMMAND}; do not edit."


def topic(service: str) -> str:
    return f"pavilion.{service}.v1"


def versions(service: Path) -> list[tuple[str, int, Path]]:
    """Every published (type, version) of a service, with its schema file, in order."""
    found = []
    for path in service.glob("*.schema.json"):
        name, version = path.name.split(".")[:2]
        found.append((name, int(version[1:]), path))
    return sorted(found)


def render(service: Path) -> str:
    """The kit's module of the service whose schemas are in `service`."""
    published = versions(service)
    classes = [
        line
        for name, version, path in published
        for line in dataclass_lines(
            f"{name}V{version}", wire_schema(json.loads(path.read_text())), "Event"
        )
    ]
    names = [
        f'    "pavilion.{service.name}.{name}.v{version}": {name}V{version},'
        for name, version, _ in published
    ]
    uses_any = any("Any]" in line for line in classes)
    return "\n".join(
        [
            f'"""The events on {topic(service.name)}, every published version.',
            "",
            "A personal property is the sealed value (`pii:1:…`) or None, as published.",
            f'{HEADER}"""',
            "",
            "from dataclasses import dataclass",
            *(["from typing import Any"] if uses_any else []),
            "",
            "from pavilion_kit.event import Event",
            *classes,
            "",
            "",
            "EVENTS: dict[str, type[Event]] = {",
            *names,
            "}",
            "",
        ]
    )


def render_index(services: list[Path]) -> str:
    """`pavilion_kit/events/__init__.py`: every service's types, and its topic."""
    names = [s.name for s in services]
    return "\n".join(
        [
            '"""Pavilion\'s events by `ce_type`, and the topic of each service.',
            "",
            f'{HEADER}"""',
            "",
            "from pavilion_kit.event import Event",
            f"from pavilion_kit.events import {', '.join(names)}",
            "",
            "TOPICS = {",
            *(f'    "{name}": "{topic(name)}",' for name in names),
            "}",
            "EVENTS: dict[str, type[Event]] = {",
            *(f"    **{name}.EVENTS," for name in names),
            "}",
            "",
        ]
    )


def main(argv: list[str]) -> int:
    """Write the kit's event modules from schemas/events (run at the repository's root);
    with `--check`, only say whether they are current."""
    services = sorted(p for p in SCHEMAS.iterdir() if p.is_dir())
    modules = {KIT / f"{service.name}.py": render(service) for service in services}
    return write({**modules, KIT / "__init__.py": render_index(services)}, argv, COMMAND)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
