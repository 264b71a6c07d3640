"""The internal APIs (the command APIs of exhibitors and outreach, the notifications
admin API) accept only service tokens the gateway or an operator command mints: every
route of their OpenAPI documents, called without one, with a forged, an expired, an
unsigned one or one minted for another service, is refused with 401 UNAUTHENTICATED and
changes nothing; with a valid one it runs, and the actor recorded is the token's."""

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import asyncpg
import httpx
import jwt
import pytest
from exhibitors.api import create_app as exhibitors_app
from exhibitors.config import Config as ExhibitorsConfig
from fastapi import FastAPI
from notifications.api import create_app as notifications_app
from notifications.config import Config as NotificationsConfig
from outreach.api import create_app as outreach_app
from outreach.config import Config as OutreachConfig
from pavilion_core.config import KafkaSettings
from pavilion_core.service_tokens import ISSUER, ServiceTokens
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, ok

NO_KAFKA = KafkaSettings("unused:1", 1, 1)
OPEN = {"/healthz", "/readyz", "/metrics"}
FORGER = "another-key-nobody-gave-you-of-32+characters"


def _apps(urls: dict[str, str]) -> dict[str, FastAPI]:
    clock = FixedClock(STORY_TIME)
    return {
        "exhibitors": exhibitors_app(ExhibitorsConfig(urls["exhibitors"], NO_KAFKA, clock=clock)),
        "outreach": outreach_app(OutreachConfig(urls["outreach"], NO_KAFKA, clock=clock)),
        "notifications": notifications_app(
            NotificationsConfig(urls["notifications"], NO_KAFKA, clock=clock)
        ),
    }


@pytest.fixture
async def apis(
    store_url: str, outreach_url: str, notifications_url: str
) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    apps = _apps(
        {"exhibitors": store_url, "outreach": outreach_url, "notifications": notifications_url}
    )
    async with AsyncExitStack() as stack:
        clients = {}
        for name, app in apps.items():
            await stack.enter_async_context(app.router.lifespan_context(app))
            transport = httpx.ASGITransport(app=app)
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=f"http://{name}")
            )
        yield clients


def routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every operation the API documents, its path parameters filled with a uuid."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        concrete = path
        for part in path.split("/"):
            if part.startswith("{"):
                concrete = concrete.replace(part, str(uuid.uuid4()))
        found += [(method.upper(), concrete) for method in operations]
    return found


def bad_tokens(service: str) -> dict[str, str | None]:
    tokens = ServiceTokens.from_env()
    now = int(time.time())
    claims = {"sub": "staff:mallory", "aud": service, "iss": ISSUER, "exp": now + 60}
    return {
        "none": None,
        "not bearer": f"Basic {tokens.mint('staff:mallory', service)}",
        "forged": f"Bearer {ServiceTokens(FORGER).mint('staff:mallory', service)}",
        "expired": f"Bearer {tokens.mint('staff:mallory', service, ttl_seconds=-120)}",
        "for another service": f"Bearer {tokens.mint('staff:mallory', 'another')}",
        "unsigned": f"Bearer {jwt.encode(claims, key=None, algorithm='none')}",
        "a user token": f"Bearer {jwt.encode({**claims, 'iss': 'pavilion'}, tokens.key)}",
        "garbage": "Bearer not.a.token",
    }


@pytest.mark.parametrize("service", ["exhibitors", "outreach", "notifications"])
async def test_every_internal_route_refuses_a_request_without_a_valid_service_token(
    service: str, apis: dict[str, httpx.AsyncClient]
):
    app: Any = apis[service]._transport.app  # type: ignore[attr-defined]
    operations = routes(app)
    assert len(operations) >= 3, operations
    for method, path in operations:
        for what, header in bad_tokens(service).items():
            headers = {"authorization": header} if header else {}
            response = await apis[service].request(method, path, json={}, headers=headers)
            assert response.status_code == 401, (method, path, what, response.text)
            assert response.json()["error"]["code"] == "UNAUTHENTICATED"
            assert response.headers["www-authenticate"] == "Bearer"
        valid = ServiceTokens.from_env().mint("staff:ada", service)
        response = await apis[service].request(
            method, path, json={}, headers={"authorization": f"Bearer {valid}"}
        )
        assert response.status_code != 401, (method, path, response.text)
    for path in OPEN:
        assert (await apis[service].get(path)).status_code == 200


async def test_a_refused_command_changes_nothing_and_a_valid_one_records_the_tokens_actor(
    apis: dict[str, httpx.AsyncClient], store_url: str
):
    body = {
        "edition": "CISCE-2026",
        "companyName": "Maple Robotics",
        "country": "CA",
        "supplyChainAreas": ["ADVANCED_MANUFACTURING"],
    }
    exhibitors = apis["exhibitors"]
    for header in bad_tokens("exhibitors").values():
        headers = {"x-actor": "staff:mallory", **({"authorization": header} if header else {})}
        assert (
            await exhibitors.post("/applications", json=body, headers=headers)
        ).status_code == 401
    conn = await asyncpg.connect(store_url)
    try:
        unseeded = "SELECT count(*) FROM events WHERE type <> 'EditionCreated'"  # the seed's
        assert await conn.fetchval(unseeded) == 0
        submitted = "SELECT metadata FROM events WHERE type = 'ApplicationSubmitted'"
        token = ServiceTokens.from_env().mint("staff:ada", "exhibitors")
        headers = {"authorization": f"Bearer {token}", "x-actor": "staff:mallory"}
        await ok(await exhibitors.post("/applications", json=body, headers=headers), 201)
        metadata = json.loads(await conn.fetchval(submitted))
    finally:
        await conn.close()
    assert metadata["actor"] == "staff:ada"


@pytest.mark.parametrize("service", ["exhibitors", "outreach", "notifications"])
async def test_a_request_without_a_token_is_refused_before_its_body_is_read(
    service: str, apis: dict[str, httpx.AsyncClient]
):
    for path in ("/applications/x/approve", "/webhooks", "/no/such/route"):
        answer = await apis[service].post(
            path, content=b"{bad", headers={"content-type": "application/json"}
        )
        assert answer.status_code == 401, (path, answer.text)
        assert answer.json()["error"]["code"] == "UNAUTHENTICATED"
        assert answer.headers["x-correlation-id"]  # refused inside the correlation middleware
