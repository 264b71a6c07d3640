"""Webhooks to real HTTP endpoints: signed per Standard Webhooks (the receiver verifies
with the secret), retried with the same webhook-id until it succeeds, or abandoned
after the (shortened) schedule and visible as such; redelivered by hand. Safe against
the endpoint: its host is checked when each attempt is made (SSRF, DNS rebinding),
one deadline bounds an attempt, its answer is read only so far, no database
transaction stays open while a request is in flight, and leases keep deliverers from
posting one delivery together."""

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import asyncpg
import httpx
import pytest
from notifications.api import create_app
from notifications.config import Config
from notifications.deliveries import enqueue
from notifications.posting import webhook_client
from notifications.webhooks import AddressPolicy, parse_networks
from pavilion_core.config import KafkaSettings
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EVENT_COLUMNS, recorded_event
from pavilion_core.testing import FixedClock

from tests.integration.webhook_support import (
    ANYWHERE,
    Answer,
    Receiver,
    StubDNS,
    approved,
    deliverer,
    endpoint_with_one_delivery,
    raw_endpoint,
    the_delivery,
)
from tests.support import STORY_TIME, assert_stored_events_valid, eventually, ok, refused, signed


@pytest.fixture
async def api(notifications_url: str) -> AsyncIterator[httpx.AsyncClient]:
    config = Config(
        notifications_url,
        KafkaSettings("unused:1", 1, 1),
        clock=FixedClock(STORY_TIME),
        webhooks_allowed_networks=parse_networks("127.0.0.0/8"),
    )
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notify", auth=signed("notifications")
        ) as client:
            yield client


async def test_retries_keep_the_webhook_id_until_success_or_abandonment(
    api: httpx.AsyncClient,
    receiver: tuple[Receiver, int],
    notifications_pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    sealer: Sealer,
):
    partner, port = receiver
    for name in ("flaky", "down"):
        body = await ok(
            await api.post(
                "/webhooks",
                json={
                    "url": f"http://127.0.0.1:{port}/{name}",
                    "eventTypes": ["pavilion.exhibitors.*"],
                },
            ),
            201,
        )
        partner.secrets[name] = body["secret"]
    async with notifications_pool.acquire() as conn:
        event = approved()
        assert await enqueue(conn, event, STORY_TIME) == 2
        assert await enqueue(conn, event, STORY_TIME) == 0  # redelivered: no second delivery

    clock = FixedClock(STORY_TIME)
    webhooks = deliverer(notifications_pool, http, clock, sealer=sealer)

    async def settled() -> bool:
        clock.advance(timedelta(seconds=2))  # past the next retry (1 s ± jitter)
        await webhooks.deliver_due()
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
    assert (shown["status"], shown["attempts"], shown["lastError"]) == ("ABANDONED", 3, "HTTP 503")

    again = await ok(await api.post(f"/webhooks/deliveries/{down['id']}/redeliver"))
    assert (again["status"], again["attempts"]) == ("PENDING", 3)
    await webhooks.deliver_due()
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


async def test_private_addresses_and_bad_urls_are_refused_at_registration_unless_allowed(
    notifications_url: str,
) -> None:
    config = Config(notifications_url, KafkaSettings("unused:1", 1, 1))
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://notify", auth=signed("notifications")
        ) as client:
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


@pytest.mark.parametrize(
    ("host", "address", "refusal"),
    [
        ("hooks.example", "127.0.0.1", "hooks.example resolves to 127.0.0.1, a loopback address"),
        (
            "metadata.example",
            "169.254.169.254",
            "metadata.example resolves to 169.254.169.254, a link-local address",
        ),
        (
            "intranet.example",
            "10.0.0.1",
            "intranet.example resolves to 10.0.0.1, a private address",
        ),
        ("127.0.0.1", "127.0.0.1", "127.0.0.1 is a loopback address"),
        ("169.254.169.254", "169.254.169.254", "169.254.169.254 is a link-local address"),
        ("10.0.0.1", "10.0.0.1", "10.0.0.1 is a private address"),
    ],
)
async def test_a_forbidden_address_is_refused_at_delivery_and_nothing_is_sent(
    notifications_pool: asyncpg.Pool,
    receiver: tuple[Receiver, int],
    http: httpx.AsyncClient,
    host: str,
    address: str,
    refusal: str,
    sealer: Sealer,
) -> None:
    partner, port = receiver
    dns = StubDNS(**{host: [address]})  # a literal address never reaches the resolver
    # registered while the operator allowed every network, delivered after they stopped
    secret = await endpoint_with_one_delivery(
        notifications_pool, f"http://{host}:{port}/hook", policy=ANYWHERE, resolver=dns
    )
    partner.secrets["hook"] = secret
    clock = FixedClock(STORY_TIME)
    webhooks = deliverer(
        notifications_pool, http, clock, sealer=sealer, policy=AddressPolicy(), resolver=dns
    )
    assert await webhooks.deliver_due() == 1

    row = await the_delivery(notifications_pool)
    assert (row["status"], row["attempts"], row["last_status"]) == ("PENDING", 1, None)
    assert row["last_error"] == f"refused: {refusal}"
    stored = await notifications_pool.fetchrow(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'WebhookDeliveryAttempted'"
    )  # the error text sealed (it may quote what a partner sent back)
    assert json.loads(stored["data"])["error"].startswith("pii:1:record:")
    (attempted,) = await sealer.unseal_recorded([recorded_event(stored)])
    assert attempted.data["error"] == row["last_error"]
    assert partner.calls == {}
    if address == "127.0.0.1":  # where our receiver listens: allow-listed, it gets it
        clock.advance(timedelta(seconds=2))
        assert (
            await deliverer(
                notifications_pool, http, clock, sealer=sealer, resolver=dns
            ).deliver_due()
            == 1
        )
        assert (await the_delivery(notifications_pool))["status"] == "SUCCEEDED"
        [call] = partner.calls["hook"]
        assert call["host"] == f"{host}:{port}"  # the name, though the address was used
    assert await assert_stored_events_valid(notifications_pool, "notifications")


async def test_dns_rebinding_is_refused_at_delivery(
    notifications_pool: asyncpg.Pool,
    receiver: tuple[Receiver, int],
    http: httpx.AsyncClient,
    sealer: Sealer,
) -> None:
    partner, port = receiver
    dns = StubDNS(**{"partner.example": ["93.184.216.34"]})
    partner.secrets["hook"] = await endpoint_with_one_delivery(
        notifications_pool,
        f"http://partner.example:{port}/hook",
        policy=AddressPolicy(),
        resolver=dns,
    )
    dns.answers["partner.example"] = ["127.0.0.1"]  # public when registered, not now
    webhooks = deliverer(
        notifications_pool, http, sealer=sealer, policy=AddressPolicy(), resolver=dns
    )
    assert await webhooks.deliver_due() == 1
    row = await the_delivery(notifications_pool)
    assert row["last_error"] == (
        "refused: partner.example resolves to 127.0.0.1, a loopback address"
    )
    assert partner.calls == {}


async def _trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
    while True:
        writer.write(b".")
        await writer.drain()
        await asyncio.sleep(0.5)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # until the deliverer hangs up


@pytest.mark.parametrize("answer", [_trickle, _silent])
async def test_an_endpoint_that_trickles_or_never_answers_is_cut_at_the_deadline(
    notifications_pool: asyncpg.Pool, http: httpx.AsyncClient, answer: Answer, sealer: Sealer
) -> None:
    async with raw_endpoint(answer) as port:
        await endpoint_with_one_delivery(notifications_pool, f"http://127.0.0.1:{port}/slow")
        started = time.monotonic()
        assert (
            await deliverer(
                notifications_pool, http, sealer=sealer, deadline_seconds=1.0
            ).deliver_due()
            == 1
        )
        took = time.monotonic() - started
    assert 1.0 <= took < 1.8, took  # the deadline, not the 500 s a trickle takes
    row = await the_delivery(notifications_pool)
    assert (row["status"], row["attempts"]) == ("PENDING", 1)
    assert row["last_error"] == "deadline of 1 s exceeded"


async def test_a_huge_answer_is_not_read_past_the_cap(
    notifications_pool: asyncpg.Pool, http: httpx.AsyncClient, sealer: Sealer
) -> None:
    hung_up = asyncio.Event()

    async def endless(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")  # until closed
        try:
            while True:
                writer.write(b"x" * 65536)
                await writer.drain()
        finally:
            hung_up.set()

    async with raw_endpoint(endless) as port:
        await endpoint_with_one_delivery(notifications_pool, f"http://127.0.0.1:{port}/big")
        started = time.monotonic()
        assert (
            await deliverer(
                notifications_pool, http, sealer=sealer, deadline_seconds=5.0
            ).deliver_due()
            == 1
        )
        assert time.monotonic() - started < 2.0
        await asyncio.wait_for(hung_up.wait(), 5.0)
    row = await the_delivery(notifications_pool)
    assert (row["status"], row["last_status"], row["last_error"]) == ("SUCCEEDED", 200, None)


async def test_no_transaction_is_open_while_a_request_is_in_flight(
    notifications_pool: asyncpg.Pool, http: httpx.AsyncClient, sealer: Sealer
) -> None:
    arrived, release = asyncio.Event(), asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        arrived.set()
        await release.wait()
        writer.write(b"HTTP/1.1 204 No Content\r\n\r\n")
        await writer.drain()

    async with raw_endpoint(slow) as port:
        await endpoint_with_one_delivery(notifications_pool, f"http://127.0.0.1:{port}/slow")
        attempt = asyncio.create_task(
            deliverer(notifications_pool, http, sealer=sealer).deliver_due()
        )
        await asyncio.wait_for(arrived.wait(), 10.0)
        open_transactions = await notifications_pool.fetch(
            """SELECT state, query FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid()
                 AND backend_type = 'client backend'
                 AND (state LIKE 'idle in transaction%' OR xact_start IS NOT NULL)"""
        )
        release.set()
        assert await attempt == 1
    assert open_transactions == []
    assert (await the_delivery(notifications_pool))["status"] == "SUCCEEDED"


async def test_two_deliverers_post_each_delivery_exactly_once(
    notifications_pool: asyncpg.Pool, receiver: tuple[Receiver, int], sealer: Sealer
) -> None:
    partner, port = receiver
    partner.delay = 0.02
    partner.secrets["race"] = await endpoint_with_one_delivery(
        notifications_pool, f"http://127.0.0.1:{port}/race"
    )
    async with notifications_pool.acquire() as conn:
        for _ in range(29):
            await enqueue(conn, approved(), STORY_TIME)

    async def drain() -> None:
        async with webhook_client() as own:
            webhooks = deliverer(notifications_pool, own, sealer=sealer)
            while await webhooks.deliver_due(limit=3):
                pass

    await asyncio.gather(drain(), drain())
    ids = [call["webhook-id"] for call in partner.calls["race"]]
    assert len(ids) == 30 and len(set(ids)) == 30
    statuses = await notifications_pool.fetch("SELECT status, attempts FROM webhook_deliveries")
    assert {(r["status"], r["attempts"]) for r in statuses} == {("SUCCEEDED", 1)}


async def test_a_crashed_deliverers_lease_runs_out_and_its_late_outcome_is_dropped(
    notifications_pool: asyncpg.Pool,
    receiver: tuple[Receiver, int],
    http: httpx.AsyncClient,
    sealer: Sealer,
) -> None:
    partner, port = receiver
    partner.secrets["hook"] = await endpoint_with_one_delivery(
        notifications_pool, f"http://127.0.0.1:{port}/hook"
    )
    crashed, survivor = (
        deliverer(
            notifications_pool, http, sealer=sealer, deadline_seconds=0.5, lease_margin_seconds=0.0
        )
        for _ in range(2)
    )
    [claimed] = await crashed.claim(10)  # and then nothing: it died
    assert await survivor.deliver_due() == 0  # leased
    await eventually(survivor.deliver_due, what="the lease ran out and the delivery was retried")
    assert not await crashed.attempt(claimed)  # back from the dead: posts, records nothing
    assert [c["webhook-id"] for c in partner.calls["hook"]] == [claimed.id, claimed.id]
    row = await the_delivery(notifications_pool)
    assert (row["status"], row["attempts"]) == ("SUCCEEDED", 1)
    kinds = await notifications_pool.fetch(
        "SELECT type FROM events WHERE stream_id = $1 ORDER BY version", claimed.id
    )
    assert [r["type"] for r in kinds] == ["WebhookDeliveryAttempted", "WebhookDeliverySucceeded"]
