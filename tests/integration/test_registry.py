"""The schema registry (Apicurio Registry, its Confluent-compatible API), started for
this module by deploy/registry.sh on a database of its own: every event schema is
registered under its subject by `pavilion schemas register`, the registry refuses an
incompatible revision (409) and takes a compatible one, registering is all or nothing,
and the `ce_dataschema` of each event the relay publishes resolves there to its schema.

Its start costs about 10 s (plus, on a machine that never ran it, about 40 s to fetch
the application from Maven Central once)."""

import asyncio
import copy
import json
import os
import shutil
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from exhibitors.demo import load
from pavilion_contracts import registry
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import registry_subject
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.relay import OutboxRelay

from tests.conftest import RUN
from tests.support import PG_URL, admin_sql, free_port, read_topic

ROOT = Path(__file__).parents[2]
SUBMITTED = ROOT / "schemas/events/exhibitors/ApplicationSubmitted.v2.schema.json"
SUBMITTED_VERSIONS = "/subjects/pavilion.exhibitors.ApplicationSubmitted.v2/versions"


@pytest.fixture(scope="module")
async def registry_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    database = f"pavtest_{RUN}_registry"
    await admin_sql(f"CREATE DATABASE {database}")
    port = free_port()
    env = {
        **os.environ,
        "PAVILION_STATE_DIR": str(tmp_path_factory.mktemp("registry")),
        "PAVILION_REGISTRY_PORT": str(port),
        "PAVILION_REGISTRY_MANAGEMENT_PORT": str(free_port()),
        "PAVILION_REGISTRY_URL": f"http://127.0.0.1:{port}",
        "PAVILION_REGISTRY_EXTERNAL": "0",
        "PAVILION_REGISTRY_DATABASE_URL": f"{PG_URL}/{database}",
    }
    script = str(ROOT / "deploy/registry.sh")
    began = time.monotonic()
    await run(env, 300, script, "start")
    print(f"registry started in {time.monotonic() - began:.1f} s", file=sys.stderr)
    try:
        # as make run does it
        pavilion = (sys.executable, "-m", "pavilion_ops", "schemas", "register")
        await run(env, 120, *pavilion, "--root", str(ROOT))
        yield env["PAVILION_REGISTRY_URL"]
    finally:
        await run(env, 90, script, "stop")
        await admin_sql(f"DROP DATABASE {database}")


async def run(env: dict[str, str], within: float, *command: str) -> None:
    process = await asyncio.create_subprocess_exec(*command, env=env)
    assert await asyncio.wait_for(process.wait(), within) == 0, command


@pytest.fixture
def client(registry_url: str) -> Iterator[httpx.Client]:
    with registry.client(registry_url) as client:
        yield client


def body(schema: dict[str, Any]) -> dict[str, str]:
    return {"schemaType": "JSON", "schema": json.dumps(schema)}


def test_every_event_schema_is_registered_under_its_ce_type(client: httpx.Client):
    files = registry.published(ROOT)
    assert len(files) == len(list((ROOT / "schemas/events").glob("*/*.schema.json"))) > 80
    for path in files:
        schema = json.loads(path.read_text())
        subject = registry_subject(str(path))
        assert subject == schema["title"]
        found = client.post(f"/subjects/{subject}", json=body(schema))
        assert found.status_code == 200, (subject, found.text)
        assert json.loads(found.json()["schema"]) == schema
        config = client.get(f"/config/{subject}").json()
        assert config["compatibilityLevel"] == "BACKWARD_TRANSITIVE", (subject, config)
    subjects = client.get("/subjects").json()
    assert {registry_subject(str(p)) for p in files} <= set(subjects)
    # registering again changes nothing: the same ids, no new version
    before = client.get(SUBMITTED_VERSIONS).json()
    again = registry.register(client, ROOT)
    assert {r.subject for r in again} == {registry_subject(str(p)) for p in files}
    assert client.get(SUBMITTED_VERSIONS).json() == before


@pytest.mark.parametrize(
    "change",
    [
        "remove a required property",
        "change a property's type",
        "require a new property",
    ],
)
def test_the_registry_refuses_an_incompatible_revision_with_409(client: httpx.Client, change: str):
    schema = json.loads(SUBMITTED.read_text())
    broken = copy.deepcopy(schema)
    if change == "remove a required property":
        del broken["properties"]["companyName"]
        broken["required"].remove("companyName")
    elif change == "change a property's type":
        broken["properties"]["companyName"]["type"] = "integer"
    else:
        broken["properties"]["boothPreference"] = {"type": "string", "x-personal-data": False}
        broken["required"].append("boothPreference")
    subject = registry_subject(str(SUBMITTED))
    versions = client.get(f"/subjects/{subject}/versions").json()

    answer = client.post(f"/subjects/{subject}/versions", json=body(broken))

    assert answer.status_code == 409, answer.text
    assert answer.json()["error_code"] == 409
    assert client.get(f"/subjects/{subject}/versions").json() == versions


def test_the_registry_takes_a_compatible_revision(client: httpx.Client):
    """On a scratch subject with the same rule: an optional property added is a new version."""
    subject = f"pavtest.{RUN}.ApplicationSubmitted.v2"
    schema = json.loads(SUBMITTED.read_text())
    level = {"compatibility": registry.COMPATIBILITY}
    client.put(f"/config/{subject}", json=level).raise_for_status()
    first = client.post(f"/subjects/{subject}/versions", json=body(schema))
    assert first.status_code == 200, first.text
    schema["properties"]["boothPreference"] = {"type": "string", "x-personal-data": False}

    second = client.post(f"/subjects/{subject}/versions", json=body(schema))

    assert second.status_code == 200, second.text
    assert second.json()["id"] != first.json()["id"]
    assert client.get(f"/subjects/{subject}/versions").json() == [1, 2]
    latest = client.get(f"/subjects/{subject}/versions/latest/schema").json()
    assert "boothPreference" in latest["properties"]


def test_registering_is_all_or_nothing(client: httpx.Client, tmp_path: Path):
    """One schema refused: the others' revisions (compatible ones) are not registered."""
    shutil.copytree(ROOT / "schemas/events", tmp_path / "schemas/events")
    compatible = tmp_path / "schemas/events/exhibitors/ApplicationApproved.v1.schema.json"
    schema = json.loads(compatible.read_text())
    schema["properties"]["note"] = {"type": "string", "x-personal-data": False}
    compatible.write_text(json.dumps(schema))
    broken = tmp_path / SUBMITTED.relative_to(ROOT)
    schema = json.loads(broken.read_text())
    schema["properties"]["companyName"]["type"] = "integer"
    broken.write_text(json.dumps(schema))
    approved = "/subjects/pavilion.exhibitors.ApplicationApproved.v1/versions"
    versions = client.get(approved).json()

    with pytest.raises(registry.RegistryRefused) as refused:
        registry.register(client, tmp_path)

    assert refused.value.refusals == [
        "schemas/events/exhibitors/ApplicationSubmitted.v2.schema.json: incompatible with "
        "pavilion.exhibitors.ApplicationSubmitted.v2"
    ]
    assert client.get(approved).json() == versions


async def test_the_dataschema_of_each_published_event_resolves_to_its_schema(
    registry_url: str,
    client: httpx.Client,
    exhibitors_history: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
):
    await load(exhibitors_history, count=12)
    relay = OutboxRelay(store_pool, publisher, service="exhibitors", topic=topic)
    while await relay.publish_batch():
        pass
    stored = await store_pool.fetchval("SELECT count(*) FROM events")
    messages = await read_topic(kafka, topic, lambda got: len(got) >= stored)

    dataschemas = {dict(m.headers)["ce_dataschema"].decode() for m in messages}
    assert len(dataschemas) > 3
    for dataschema in dataschemas:
        file = ROOT / "schemas/events" / dataschema.split("/schemas/events/")[1]
        assert registry.resolve(client, dataschema) == json.loads(file.read_text()), dataschema
    for message in messages:
        headers = {k: v.decode() for k, v in message.headers}
        assert registry_subject(headers["ce_dataschema"]) == headers["ce_type"]
    # as an operator asks: pavilion schemas resolve <ce_dataschema>
    dataschema = min(dataschemas)
    resolved = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "pavilion_ops", "schemas", "resolve", dataschema),
        env={**os.environ, "PAVILION_REGISTRY_URL": registry_url},
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(resolved.communicate(), 60)
    assert resolved.returncode == 0
    assert json.loads(out) == registry.resolve(client, dataschema)
