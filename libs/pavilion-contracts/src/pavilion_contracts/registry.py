"""The schema registry, through its Confluent Schema Registry API (`/apis/ccompat/v7`).

Every published event schema, `schemas/events/<service>/<Type>.v<N>.schema.json`, is
registered as JSON Schema under its own subject, the event's `ce_type`
(`pavilion.<service>.<Type>.v<N>`, pavilion_core.envelope.registry_subject): a new
version of a type is a new file, allowed to break the previous one, so it is a new
subject; the registry's versions of a subject are the revisions of that one file. Each
subject's compatibility is BACKWARD_TRANSITIVE, the rule of pavilion_contracts.compat
(a revision must accept every event an earlier revision accepted), held against every
revision ever registered rather than the previous commit only.

Registering is all or nothing: every schema is checked against its subject first, and
nothing is registered when one is refused. Registering an unchanged schema again is a
no-op (the registry answers with the id it has).

`python -m pavilion_contracts.registry [--root DIR] [--url URL]` registers them
(`pavilion schemas register` for operators; compose's one-shot `registry-migrate`); the URL
defaults to PAVILION_REGISTRY_URL.
"""

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pavilion_core.config import env_str
from pavilion_core.envelope import registry_subject

API = "/apis/ccompat/v7"
EVENTS = Path("schemas/events")
COMPATIBILITY = "BACKWARD_TRANSITIVE"
CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


def default_url() -> str:
    """PAVILION_REGISTRY_URL, or deploy/registry.sh's default port."""
    return env_str("PAVILION_REGISTRY_URL", "http://127.0.0.1:8081")


class RegistryRefused(Exception):
    """The registry refused schemas (incompatible, or not valid): nothing was registered
    when this came from the check before registering."""

    def __init__(self, refusals: list[str]) -> None:
        super().__init__("; ".join(refusals))
        self.refusals = refusals


@dataclass(frozen=True)
class Registered:
    subject: str
    schema_id: int
    path: Path


def published(root: Path) -> list[Path]:
    """Every event schema file under `root`, by service, type and version."""

    def order(path: Path) -> tuple[str, str, int]:
        name, version = path.name.split(".")[:2]
        return path.parent.name, name, int(version[1:])

    return sorted((root / EVENTS).glob("*/*.schema.json"), key=order)


def client(url: str) -> httpx.Client:
    # A registry just started answers its first requests slowly (its JVM warming up:
    # over httpx's default 5 s on a loaded machine).
    return httpx.Client(
        base_url=url.rstrip("/") + API, headers={"content-type": CONTENT_TYPE}, timeout=60
    )


def register(registry: httpx.Client, root: Path) -> list[Registered]:
    """Set each subject's compatibility, check every schema, then register them all."""
    schemas = {path: (registry_subject(str(path)), _body(path)) for path in published(root)}
    level = {"compatibility": COMPATIBILITY}
    for subject, _ in schemas.values():
        _ok(registry.put(f"/config/{subject}", json=level))
    refusals = [
        f"{path.relative_to(root)}: incompatible with {subject}"
        for path, (subject, body) in schemas.items()
        if not _compatible(registry, subject, body)
    ]
    if refusals:
        raise RegistryRefused(refusals)
    registered = []
    for path, (subject, body) in schemas.items():
        answer = registry.post(f"/subjects/{subject}/versions", json=body)
        if answer.status_code in (409, 422):
            raise RegistryRefused([f"{path.relative_to(root)}: {_message(answer)}"])
        registered.append(Registered(subject, int(_ok(answer)["id"]), path))
    return registered


def resolve(registry: httpx.Client, dataschema: str) -> dict[str, Any]:
    """The JSON Schema that an event's `ce_dataschema` names, as the registry has it
    (the latest revision of its subject, which reads every earlier one's events)."""
    answer = registry.get(f"/subjects/{registry_subject(dataschema)}/versions/latest/schema")
    schema: dict[str, Any] = json.loads(_ok(answer, text=True))
    return schema


def _body(path: Path) -> dict[str, str]:
    return {"schemaType": "JSON", "schema": json.dumps(json.loads(path.read_text()))}


def _compatible(registry: httpx.Client, subject: str, body: dict[str, str]) -> bool:
    answer = registry.post(f"/compatibility/subjects/{subject}/versions", json=body)
    if answer.status_code == 404:  # a subject not registered yet: anything goes
        return True
    return bool(_ok(answer)["is_compatible"])


def _ok(answer: httpx.Response, text: bool = False) -> Any:
    if answer.is_error:
        raise httpx.HTTPStatusError(
            f"schema registry: {answer.request.method} {answer.request.url} answered "
            f"{answer.status_code}: {_message(answer)}",
            request=answer.request,
            response=answer,
        )
    return answer.text if text else answer.json()


def _message(answer: httpx.Response) -> str:
    try:
        return str(answer.json().get("message", answer.text))
    except ValueError:
        return answer.text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pavilion_contracts.registry")
    parser.add_argument("--root", type=Path, default=Path(), help="schemas/events/ is under it")
    parser.add_argument("--url", default=default_url(), help="the registry's base URL")
    args = parser.parse_args(argv)
    with client(args.url) as registry:
        try:
            done = register(registry, args.root)
        except RegistryRefused as exc:
            for refusal in exc.refusals:
                print(f"schema registry refused {refusal}", file=sys.stderr)
            return 1
    print(f"{len(done)} event schemas registered in {args.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
