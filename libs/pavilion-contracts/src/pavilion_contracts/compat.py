"""The schema compatibility check: `python -m pavilion_contracts.compat [--base REV]`.

Compares every published event schema under schemas/events/ with the same file at
the base revision (default HEAD~1) and fails, naming the file and the reason, on a
change that would break a consumer of that version: a file deleted or renamed, a
property removed, one newly required, a type narrowed or changed, an enum value
removed, a pattern, format, bound or const added or changed, additionalProperties
tightened. A new version is a new file (`<Type>.v<N+1>.schema.json`), which passes, as
do additive, optional changes (a new optional property, a looser bound, a description).

The GraphQL API (schemas/graphql/schema.graphql) is published too: a change that breaks
a client's query (graphql-core's find_breaking_changes: a type, field or argument
removed or changed, a new required argument or input field, an enum value removed)
fails the same way; new types, fields and optional inputs pass.
`make lint` runs it, so a breaking edit of a published contract fails CI.
"""

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graphql import build_schema, find_breaking_changes

EVENTS = "schemas/events"
GRAPHQL = "schemas/graphql/schema.graphql"
# Keywords that only restrict: a value added or changed there may refuse what passed.
RESTRICTING = ("pattern", "format", "const", "multipleOf", "uniqueItems", "contains")
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


def breaks(old: Any, new: Any, where: str = "") -> Iterator[str]:
    """Why `new` may refuse (or misread) data that `old` accepted, at `where`."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        if old != new:
            yield f"{where or 'schema'} changed"
        return
    yield from _types(old, new, where)
    yield from _enums(old, new, where)
    for key in RESTRICTING:
        if key in new and new.get(key) != old.get(key):
            yield f"{where or 'schema'}: {key} {'changed' if key in old else 'added'}"
    for key in LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            yield f"{where or 'schema'}: {key} raised to {new[key]}"
    for key in UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            yield f"{where or 'schema'}: {key} lowered to {new[key]}"
    yield from _properties(old, new, where)
    for key in ("items", "additionalProperties"):
        yield from _nested(old, new, key, where)


def _types(old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[str]:
    if "type" not in new:
        return
    before, after = _as_set(old.get("type")), _as_set(new["type"]) or set()
    if before is None or not before <= after:
        yield f"{where or 'schema'}: type {_show(old.get('type'))} became {_show(new['type'])}"


def _enums(old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[str]:
    if "enum" not in new:
        return
    if "enum" not in old:
        yield f"{where or 'schema'}: enum added"
        return
    for value in old["enum"]:
        if value not in new["enum"]:
            yield f"{where or 'schema'}: enum value {value!r} removed"


def _properties(old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[str]:
    before, after = old.get("properties", {}), new.get("properties", {})
    for name in before:
        if name not in after:
            yield f"{_at(where, name)}: property removed"
        else:
            yield from breaks(before[name], after[name], _at(where, name))
    for name in sorted(set(new.get("required", ())) - set(old.get("required", ()))):
        yield f"{_at(where, name)}: newly required"


def _nested(old: dict[str, Any], new: dict[str, Any], key: str, where: str) -> Iterator[str]:
    """`items` or `additionalProperties`: absent is true (anything goes)."""
    before, after = old.get(key, True), new.get(key, True)
    if after is True or before == after:
        return
    if before is True or after is False:
        yield f"{where or 'schema'}: {key} tightened"
    elif isinstance(before, dict) and isinstance(after, dict):
        yield from breaks(before, after, f"{where}[{key}]" if key == "items" else where)


def _as_set(kind: Any) -> set[str] | None:
    if kind is None:
        return None
    kinds = {kind} if isinstance(kind, str) else set(kind)
    return kinds | {"integer"} if "number" in kinds else kinds


def _show(kind: Any) -> str:
    return json.dumps(kind) if kind is not None else "any"


def _at(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def _exists(root: Path, revision: str) -> bool:
    verify = ["git", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"]
    return subprocess.run(verify, cwd=root, capture_output=True).returncode == 0


def problems(root: Path, base: str) -> list[str]:
    """Every breaking change of `root`'s published schemas since `base`, as
    `<file>: <reason>`."""
    found = []
    published = _git(root, "ls-tree", "-r", "--name-only", base, "--", EVENTS).split()
    for name in published:
        if not name.endswith(".schema.json"):
            continue
        path = root / name
        if not path.is_file():
            found.append(f"{name}: deleted or renamed (publish a new version beside it)")
            continue
        old = json.loads(_git(root, "show", f"{base}:{name}"))
        new = json.loads(path.read_text())
        found += [f"{name}: {reason}" for reason in breaks(old, new)]
    if _git(root, "ls-tree", "--name-only", base, "--", GRAPHQL).strip():
        old_sdl, sdl = _git(root, "show", f"{base}:{GRAPHQL}"), root / GRAPHQL
        if not sdl.is_file():
            return [*found, f"{GRAPHQL}: deleted or renamed"]
        changes = find_breaking_changes(build_schema(old_sdl), build_schema(sdl.read_text()))
        found += [f"{GRAPHQL}: {change.description}" for change in changes]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pavilion_contracts.compat")
    parser.add_argument("--base", default="HEAD~1", help="the revision to compare with")
    parser.add_argument("--root", type=Path, default=Path("."), help="the repository")
    args = parser.parse_args(argv)
    root = Path(_git(args.root, "rev-parse", "--show-toplevel").strip())
    if not _exists(root, args.base):
        if _git(root, "rev-parse", "--is-shallow-repository").strip() == "true":
            print(f"schema compatibility: {args.base} is not in this shallow clone; "
                  "fetch it (git fetch --deepen=1) to compare", file=sys.stderr)  # fmt: skip
            return 2
        print(f"schema compatibility: no {args.base} (the first commit): nothing published")
        return 0
    found = problems(root, args.base)
    for problem in found:
        print(f"breaking schema change: {problem}", file=sys.stderr)
    if not found:
        print(f"schema compatibility: no breaking change since {args.base}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
