"""Schemathesis fuzzes the exhibitors command API from its own OpenAPI document against
the real service on PostgreSQL: whatever it sends, no answer is a server error, and
every answer matches what the document promises."""

import asyncio
import threading
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
import uvicorn
from exhibitors.api import create_app
from exhibitors.config import Config
from hypothesis import HealthCheck, given, settings
from pavilion_core.config import KafkaSettings
from pavilion_core.testing import FixedClock
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.test_slice import free_port
from tests.support import PG_URL, STORY_TIME, admin_sql


@pytest.fixture(scope="module")
def exhibitors_url() -> Iterator[str]:
    """The exhibitors API under uvicorn in a thread, on a database of its own."""
    name = f"pavfuzz_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin_sql(f"CREATE DATABASE {name}"))
    config = Config(
        f"{PG_URL}/{name}", KafkaSettings("unused:1", 1, 1), clock=FixedClock(STORY_TIME)
    )
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config), port=port, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.05)
        assert server.started, "the API did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        asyncio.run(admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


# The document the service publishes at /openapi.json, built without starting it.
schema = schemathesis.openapi.from_dict(
    create_app(Config("postgresql://unused", KafkaSettings("unused:1", 1, 1))).openapi()
)

OPERATIONS = [result.ok() for result in schema.get_all_operations()]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# schemathesis' own pytest integration does not run under pytest 9 (it sets
# Function._nodeid); driving its hypothesis strategies directly does the same work.
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_input_makes_the_api_fail_or_break_its_contract(
    operation: schemathesis.APIOperation, exhibitors_url: str
) -> None:
    @settings(
        max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(case=operation.as_strategy())
    def fuzz(case: schemathesis.Case) -> None:
        case.call_and_validate(base_url=exhibitors_url, checks=CHECKS)

    fuzz()
