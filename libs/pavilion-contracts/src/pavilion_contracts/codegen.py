"""What the generators of event types share (pavilion_contracts.events for the services,
pavilion_contracts.kit for the integrator kit): a JSON Schema's properties as a frozen,
keyword-only dataclass, and writing or checking the generated files."""

import re
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pavilion_core.aggregate import camel

JSON_TYPES = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "dict[str, Any]",
}


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


def dataclass_lines(name: str, schema: dict[str, Any], base: str) -> list[str]:
    """The class `name(base)` of an event schema: its properties as fields, snake_case,
    in the schema's order, the ones it does not require `X | None = None` and last."""
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
        f"class {name}({base}):",
        *doc,
        *([""] if doc and fields else []),
        *(fields or ([] if doc else ["    pass"])),
    ]


def write(generated: Mapping[Path, str], argv: list[str], command: str) -> int:
    """Write each generated file; with `--check` in `argv`, only say (and return 1)
    when one differs from what is on disk."""
    stale = 0
    for target, text in generated.items():
        if "--check" not in argv:
            target.write_text(text)
        elif not target.exists() or target.read_text() != text:
            print(f"{target} is stale: run {command}")
            stale = 1
    return stale
