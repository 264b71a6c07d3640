"""An integrator's view: the exhibitors' demo relayed to a topic, consumed with kcat (the
stock Kafka client of Debian, as the integrator guide shows), and every message checked
against the contract: the CloudEvents headers, and the JSON Schema that
schemas/asyncapi.yaml names for its type."""

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import jsonschema
import pytest
import yaml
from exhibitors.demo import load
from pavilion_contracts.personal import wire_schema
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.relay import OutboxRelay

SCHEMAS = Path(__file__).parents[2] / "schemas"


def contract() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The header schema and, by ce_type, the payload schema the AsyncAPI document names."""
    doc = yaml.safe_load((SCHEMAS / "asyncapi.yaml").read_text())
    headers = doc["components"]["messageTraits"]["cloudevent"]["headers"]["$ref"]
    payloads = {  # as published: each personal value sealed (or null)
        message["name"]: wire_schema(json.loads((SCHEMAS / message["payload"]["$ref"]).read_text()))
        for message in doc["components"]["messages"].values()
    }
    return json.loads((SCHEMAS / headers).read_text()), payloads


async def test_kcat_reads_valid_cloudevents_of_the_types_the_asyncapi_document_names(
    exhibitors_history: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
):
    kcat = shutil.which("kcat")
    if kcat is None:
        pytest.fail("kcat is not installed: run deploy/system-deps.sh")
    await load(exhibitors_history, count=40)
    relay = OutboxRelay(store_pool, publisher, service="exhibitors", topic=topic)
    while await relay.publish_batch():
        pass
    stored = await store_pool.fetchval("SELECT count(*) FROM events")

    process = await asyncio.create_subprocess_exec(
        kcat,
        "-C",
        "-b",
        kafka.bootstrap,
        "-t",
        topic,
        "-o",
        "beginning",
        "-e",
        "-q",
        "-J",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    messages = [json.loads(line) for line in out.decode().splitlines()]
    assert len(messages) == stored

    header_schema, payloads = contract()
    types = set()
    for message in messages:
        flat = message["headers"]
        headers = dict(zip(flat[::2], flat[1::2], strict=True))
        jsonschema.validate(headers, header_schema)
        assert headers["ce_subject"] == message["key"]
        jsonschema.validate(json.loads(message["payload"]), payloads[headers["ce_type"]])
        types.add(headers["ce_type"])
    assert len(types) >= 12, types
