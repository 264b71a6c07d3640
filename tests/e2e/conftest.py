"""Fixtures of the end-to-end tests beyond those of tests/conftest.py."""

from collections.abc import AsyncIterator

import pytest
from pavilion_core.config import KafkaSettings

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
