"""Webhooks to a real HTTP receiver: signed per Standard Webhooks (the receiver
verifies with the secret), retried with the same webhook-id until it succeeds, or
abandoned after the (shortened) schedule and visible as such; redelivered by hand."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
import uvicorn
from notifications.api import create_app
from notifications.config import Config
from notifications.deliveries import Deliverer, enqueue
from notifications.webhooks import RetrySchedule
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import CloudEvent, RecordedEvent, from_kafka, to_kafka
from pavilion_core.testing import FixedClock
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support import STORY_TIME, assert_stored_events_valid, eventually, free_port, ok, refused


class Receiver:
    """A partner's endpoint: /flaky fails twice then succeeds, /down always fails."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, str]]] = {"flaky": [], "down": []}
        self.secrets: dict[str, str] = {}
        self.app = Starlette(routes=[Route("/{name}", self.receive, methods=["POST"])])

    async def receive(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = (await request.body()).decode()
        Webhook(self.secrets[name].removeprefix("whsec_")).verify(body, dict(request.headers))
        self.calls[name].append(dict(request.headers))
        failing = name == "down" or len(self.calls[name]) <= 2
        return Response(status_code=503 if failing else 204)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    partner, port = Receiver(), free_port()
    server = uvicorn.Server(uvicorn.Config(partner.app, port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server), what="the receiver")
    yield partner, f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


async def _started(server: uvicorn.Server) -> bool:
    return bool(server.started)


@pytest.fixture
async def api(notifications_url: str) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(
        notifications_url,
        KafkaSettings("unused:1", 1, 1),
        clock=FixedClock(STORY_TIME),
        webhooks_allow_private=True,
    )
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            yield client


def approved() -> CloudEvent:
    app = str(uuid.uuid4())
    record = to_kafka(
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=app,
            version=3,
            position=1,
            type="ApplicationApproved",
            schema_version=1,
            data={"applicationId": app},
            metadata={"correlation_id": "c"},
            recorded_at=datetime.now(UTC),
        ),
        "exhibitors",
    )
    return from_kafka(record.value, record.headers)


async def test_retries_keep_the_webhook_id_until_success_or_abandonment(
    api: httpx.AsyncClient,
    receiver: tuple[Receiver, str],
    notifications_pool: asyncpg.Pool,
):
    partner, base = receiver
    for name in ("flaky", "down"):
        body = await ok(
            await api.post(
                "/webhooks", json={"url": f"{base}/{name}", "eventTypes": ["pavilion.exhibitors.*"]}
            ),
            201,
        )
        partner.secrets[name] = body["secret"]
    async with notifications_pool.acquire() as conn:
        event = approved()
        assert await enqueue(conn, event, STORY_TIME) == 2
        assert await enqueue(conn, event, STORY_TIME) == 0  # redelivered: no second delivery

    clock = FixedClock(STORY_TIME)
    async with httpx.AsyncClient(timeout=5) as http:
        deliverer = Deliverer(notifications_pool, clock, RetrySchedule.parse("1,1"), http)

        async def settled() -> bool:
            clock.advance(timedelta(seconds=2))  # past the next retry (1 s ± jitter)
            await deliverer.deliver_due()
            statuses = await notifications_pool.fetch("SELECT status FROM webhook_deliveries")
            return all(r["status"] != "PENDING" for r in statuses)

        await eventually(settled, what="both deliveries settled")

        flaky = {c["webhook-id"] for c in partner.calls["flaky"]}
        assert len(partner.calls["flaky"]) == 3 and len(flaky) == 1
        assert len(partner.calls["down"]) == 3
        rows = {
            r["id"]: r
            for r in await notifications_pool.fetch(
                "SELECT id, status, attempts, last_error FROM webhook_deliveries"
            )
        }
        [down] = [r for r in rows.values() if r["status"] == "ABANDONED"]
        shown = await ok(await api.get(f"/webhooks/deliveries/{down['id']}"))
        assert (shown["status"], shown["attempts"], shown["lastError"]) == (
            "ABANDONED",
            3,
            "HTTP 503",
        )

        await ok(await api.post(f"/webhooks/deliveries/{down['id']}/redeliver"), 202)
        await deliverer.deliver_due()
        assert len(partner.calls["down"]) == 4
        assert {c["webhook-id"] for c in partner.calls["down"]} == {str(down["id"])}
    kinds = await notifications_pool.fetch(
        "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type"
    )
    assert {r["type"]: r["n"] for r in kinds} == {
        "WebhookDeliveryAbandoned": 2,
        "WebhookDeliveryAttempted": 7,
        "WebhookDeliverySucceeded": 1,
        "WebhookEndpointRegistered": 2,
    }
    assert len(await assert_stored_events_valid(notifications_pool, "notifications")) == 4


async def test_private_addresses_and_bad_urls_are_refused_unless_allowed(
    notifications_url: str,
) -> None:
    config = Config(notifications_url, KafkaSettings("unused:1", 1, 1))
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            for url in ("http://127.0.0.1:9/hook", "http://10.0.0.5/hook", "ftp://x.example/h"):
                refused(
                    await client.post("/webhooks", json={"url": url, "eventTypes": ["*"]}),
                    422,
                    "VALIDATION",
                )
            refused(
                await client.post(f"/webhooks/deliveries/{uuid.uuid4()}/redeliver"),
                404,
                "NOT_FOUND",
            )


async def test_the_unsubscribe_link_opts_out_at_once_and_only_a_request_opts_back_in(
    notifications_url: str,
    notifications_pool: asyncpg.Pool,
) -> None:
    config = Config(
        notifications_url, KafkaSettings("unused:1", 1, 1), clock=FixedClock(STORY_TIME)
    )
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as client:
            link = app.state.services.notifier.links.link("Jane@Example.com")
            path = link.removeprefix(config.public_url)
            page = await client.get(path)
            assert page.status_code == 200 and "jane@example.com" in page.text
            assert (await client.post(path)).status_code == 200  # RFC 8058 one-click
            refused(await client.get(path[:-3] + "xyz"), 422, "VALIDATION")
            assert await notifications_pool.fetchval("SELECT count(*) FROM opt_outs") == 1

            answer = await ok(
                await client.post(
                    "/recipients/opt-in",
                    json={"address": "jane@example.com", "evidence": "asked by phone, 2 Dec"},
                )
            )
            assert answer == {"optedIn": True}
    assert await notifications_pool.fetchval("SELECT count(*) FROM opt_outs") == 0
    assert await assert_stored_events_valid(notifications_pool, "notifications") == {
        "RecipientOptedOut",
        "RecipientOptedIn",
    }
