"""Fixtures of the end-to-end tests beyond those of tests/conftest.py."""

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pavilion_core.config import KafkaSettings
from playwright.async_api import Browser

from tests.e2e.browser import chromium
from tests.e2e.make_run import MakeRun, make_run, secured_cluster
from tests.e2e.stack import JWT_SECRET, Stack, running, scratch

# The services behind the gateway (no notifications worker: no mail).
PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("exhibitors", "reactor"),
    ("outreach", "api"),
    ("outreach", "relay"),
    ("outreach", "reactor"),
    ("notifications", "api"),
    ("notifications", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]


@pytest.fixture(scope="package")
async def stack(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    """One stack for the modules that need no settings or faults of their own
    (test_gateway.py, test_gateway_commands.py): starting it takes longer than most of
    their tests, and each test works on records of its own (fresh ids and names), so it
    is shared. A module with settings of its own defines its own `stack`."""
    async with (
        scratch(templates, kafka) as env,
        running(
            PROCESSES,
            {**env, "PAVILION_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8"},
            tmp_path_factory.mktemp("logs"),
        ) as stack,
    ):
        stack.env = {**env, "PAVILION_JWT_SECRET": JWT_SECRET}  # type: ignore[attr-defined]
        yield stack


@pytest.fixture(scope="session")
async def made_run(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[MakeRun]:
    """`make run`, the demo loaded, on a secured three-node Kafka cluster of its own (as
    a bigger deployment runs): one for every module that drives the console and for the
    Kafka security tests (each test changes records of its own, or says what it expects
    others to change)."""
    async with make_run(
        tmp_path_factory.mktemp("make-run"), within=600, kafka=secured_cluster()
    ) as launched:
        yield launched


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """chromium, started once (each test opens contexts of its own)."""
    async with chromium() as started:
        yield started


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests write their screenshots: $PAVILION_ARTIFACTS_DIR, else a
    temporary directory (printed: pytest -s shows it, and so does a failure's report)."""
    named = os.environ.get("PAVILION_ARTIFACTS_DIR")
    path = Path(named) if named else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    print(f"browser test artifacts (screenshots): {path}")
    return path
