"""Schemathesis fuzzes each command API from its own OpenAPI document against the
real service on PostgreSQL, as the gateway would call it (with a service token):
whatever it sends, no answer is a server error, and every answer matches what the
document promises."""

import asyncio
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from exhibitors.api import create_app as exhibitors_app
from exhibitors.config import Config as ExhibitorsConfig
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from outreach.api import create_app as outreach_app
from outreach.config import Config as OutreachConfig
from pavilion_core.config import KafkaSettings
from pavilion_core.service_tokens import ServiceTokens
from pavilion_core.testing import FixedClock
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support import PG_URL, STORY_TIME, admin_sql, free_port

NO_KAFKA = KafkaSettings("unused:1", 1, 1)
SERVICES: dict[str, Callable[[str], FastAPI]] = {
    "exhibitors": lambda url: exhibitors_app(
        ExhibitorsConfig(url, NO_KAFKA, clock=FixedClock(STORY_TIME))
    ),
    "outreach": lambda url: outreach_app(
        OutreachConfig(url, NO_KAFKA, clock=FixedClock(STORY_TIME))
    ),
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def servers(vault_database: str) -> Iterator[dict[str, str]]:
    """Each API under uvicorn in a thread, on a database of its own (and the session's
    vault, which their sealing needs)."""
    running: list[tuple[uvicorn.Server, threading.Thread, str]] = []
    urls = {}
    try:
        for name, make in SERVICES.items():
            database = f"pavfuzz_{uuid.uuid4().hex[:10]}"
            asyncio.run(admin_sql(f"CREATE DATABASE {database}"))
            port = free_port()
            server = uvicorn.Server(
                uvicorn.Config(make(f"{PG_URL}/{database}"), port=port, log_config=None)
            )
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            running.append((server, thread, database))
            for _ in range(200):
                if server.started:
                    break
                threading.Event().wait(0.05)
            assert server.started, f"{name} did not start"
            urls[name] = f"http://127.0.0.1:{port}"
        yield urls
    finally:
        for server, thread, database in running:
            server.should_exit = True
            thread.join(10)
            asyncio.run(admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))


def _operations() -> list[Any]:
    """Every operation of every service's published document, built without starting it."""
    found = []
    for name, make in SERVICES.items():
        schema = schemathesis.openapi.from_dict(make("postgresql://unused").openapi())
        found += [
            pytest.param(name, result.ok(), id=f"{name} {result.ok().label}")
            for result in schema.get_all_operations()
        ]
    return found


# schemathesis' own pytest integration does not run under pytest 9 (it sets
# Function._nodeid); driving its hypothesis strategies directly does the same work.
@pytest.mark.parametrize(("service", "operation"), _operations())
def test_no_input_makes_an_api_fail_or_break_its_contract(
    service: str, operation: schemathesis.APIOperation, servers: dict[str, str]
) -> None:
    @settings(
        max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    @given(case=operation.as_strategy())
    def fuzz(case: schemathesis.Case) -> None:
        bearer = f"Bearer {ServiceTokens.from_env().mint('staff:fuzz', service)}"
        response = case.call_and_validate(
            base_url=servers[service], checks=CHECKS, headers={"authorization": bearer}
        )
        assert response.status_code != 401, response.text  # the fuzzing reached the routes

    fuzz()
