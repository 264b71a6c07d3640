"""The schema compatibility check, on a scratch repository: a published schema edited
in a way that breaks its consumers fails, naming the file and the reason; a new version
beside it, or an optional addition, passes. Each rule once."""

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pavilion_contracts.compat import main

NAME = "schemas/events/exhibitors/Thing.v1.schema.json"
PUBLISHED: dict[str, Any] = {
    "type": "object",
    "required": ["id", "size"],
    "properties": {
        "id": {"type": "string", "pattern": "^[a-z]+$"},
        "size": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
        "kind": {"enum": ["BIG", "SMALL"]},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 20}},
        "note": {"type": "string"},
        "extra": {"type": "object", "properties": {"a": {"type": "string"}}},
    },
    "additionalProperties": False,
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    for key, value in (("user.email", "t@example.com"), ("user.name", "t")):
        _git(tmp_path, "config", key, value)
    _write(tmp_path, NAME, PUBLISHED)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "publish")
    return tmp_path


def _write(repo: Path, name: str, schema: dict[str, Any]) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(schema))


def _check(repo: Path, capsys: pytest.CaptureFixture[str], commit: bool = True) -> list[str]:
    """Commit the change, check it against the commit before: the problems found."""
    if commit:
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", "change")
    code = main(["--root", str(repo)])
    errors = [line for line in capsys.readouterr().err.splitlines() if line]
    assert (code == 1) == bool(errors)
    return errors


def _edited(change: Any) -> dict[str, Any]:
    schema = copy.deepcopy(PUBLISHED)
    change(schema)
    return schema


BREAKING = {
    "a property removed": (lambda s: s["properties"].pop("note"), "note: property removed"),
    "a property newly required": (lambda s: s["required"].append("note"), "note: newly required"),
    "a type changed": (
        lambda s: s["properties"]["note"].update(type="integer"),
        'note: type "string" became "integer"',
    ),
    "a type narrowed (null no longer allowed)": (
        lambda s: s["properties"]["size"].update(type="integer"),
        'size: type ["integer", "null"] became "integer"',
    ),
    "an enum value removed": (
        lambda s: s["properties"]["kind"].update(enum=["BIG"]),
        "kind: enum value 'SMALL' removed",
    ),
    "a pattern tightened": (
        lambda s: s["properties"]["id"].update(pattern="^[a-z]{3}$"),
        "id: pattern changed",
    ),
    "a format added": (
        lambda s: s["properties"]["note"].update(format="email"),
        "note: format added",
    ),
    "a bound tightened": (
        lambda s: s["properties"]["size"].update(maximum=10),
        "size: maximum lowered to 10",
    ),
    "an item narrowed": (
        lambda s: s["properties"]["tags"]["items"].update(maxLength=5),
        "tags[items]: maxLength lowered to 5",
    ),
    "additionalProperties tightened": (
        lambda s: s["properties"]["extra"].update(additionalProperties=False),
        "extra: additionalProperties tightened",
    ),
}


@pytest.mark.parametrize(("change", "reason"), BREAKING.values(), ids=list(BREAKING))
def test_a_breaking_edit_fails_naming_the_file_and_the_reason(
    repo: Path, capsys: pytest.CaptureFixture[str], change: Any, reason: str
) -> None:
    _write(repo, NAME, _edited(change))
    assert _check(repo, capsys) == [f"breaking schema change: {NAME}: {reason}"]


def test_a_published_schema_deleted_or_renamed_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(repo, "mv", NAME, NAME.replace("Thing", "Other"))
    assert _check(repo, capsys) == [
        f"breaking schema change: {NAME}: deleted or renamed (publish a new version beside it)"
    ]


def test_an_uncommitted_breaking_edit_fails_too(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(repo, "README", {})
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "another commit")
    _write(repo, NAME, _edited(lambda s: s["properties"].pop("id")))
    assert _check(repo, capsys, commit=False) == [
        f"breaking schema change: {NAME}: id: property removed"
    ]


def test_a_new_version_beside_the_published_one_passes(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v2 = _edited(lambda s: (s["properties"].pop("note"), s["required"].append("kind")))
    _write(repo, NAME.replace(".v1.", ".v2."), v2)
    assert _check(repo, capsys) == []


def test_additive_optional_changes_pass(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def additive(s: dict[str, Any]) -> None:
        s["properties"]["color"] = {"type": "string"}  # optional: not required
        s["properties"]["kind"]["enum"].append("HUGE")
        s["properties"]["size"].update(maximum=1000, description="looser")
        s["properties"]["note"].update(type=["string", "null"])
        s["properties"]["tags"]["items"].pop("maxLength")

    _write(repo, NAME, _edited(additive))
    assert _check(repo, capsys) == []


def test_the_first_commit_has_nothing_to_compare_with(repo: Path) -> None:
    assert main(["--root", str(repo)]) == 0


SDL = """
type Query { exhibitor(id: ID!): Exhibitor }
type Exhibitor { id: ID! companyName: String! status: Status! }
enum Status { SUBMITTED APPROVED }
type Mutation { approve(input: ApproveInput!): Exhibitor }
input ApproveInput { applicationId: ID! note: String }
"""
GRAPHQL_BREAKS = {
    "field removed": (
        ("companyName: String! ", ""),
        "Field Exhibitor.companyName was removed.",
    ),
    "enum value removed": (
        ("SUBMITTED APPROVED", "SUBMITTED"),
        "Enum value Status.APPROVED was removed.",
    ),
    "required input field added": (
        ("note: String", "note: String reason: String!"),
        "A required field ApproveInput.reason was added.",
    ),
    "input type renamed": (
        ("ApproveInput", "ApplicationInput"),
        "ApproveInput was removed.",
    ),
}


def _publish_sdl(repo: Path, sdl: str) -> None:
    path = repo / "schemas/graphql/schema.graphql"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdl)


@pytest.mark.parametrize(("edit", "reason"), GRAPHQL_BREAKS.values(), ids=list(GRAPHQL_BREAKS))
def test_a_breaking_edit_of_the_graphql_api_fails(
    repo: Path, capsys: pytest.CaptureFixture[str], edit: tuple[str, str], reason: str
) -> None:
    _publish_sdl(repo, SDL)
    assert _check(repo, capsys) == []
    _publish_sdl(repo, SDL.replace(*edit))
    assert f"breaking schema change: schemas/graphql/schema.graphql: {reason}" in _check(
        repo, capsys
    )


def test_additions_to_the_graphql_api_pass(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _publish_sdl(repo, SDL)
    _check(repo, capsys)
    added = SDL.replace("note: String", "note: String wait: Boolean = true").replace(
        "status: Status!", "status: Status! website: String"
    )
    _publish_sdl(repo, added.replace("SUBMITTED APPROVED", "SUBMITTED APPROVED CONFIRMED"))
    assert _check(repo, capsys) == []
