"""An administrator manages webhook endpoints: disabling one holds its deliveries and
enqueues nothing, enabling it resumes them, a rotated secret is the only one that
signs, deleting one stops everything; each change is an event on the endpoint's
stream, made by the acting person, and returns the stream's new version."""

import json
import uuid
from datetime import timedelta

import asyncpg
import httpx
import pytest
from notifications.deliveries import enqueue
from notifications.endpoints import (
    NewSecret,
    delete_endpoint,
    disable_endpoint,
    enable_endpoint,
    list_deliveries,
    list_endpoints,
    redeliver,
    register_endpoint,
    rotate_secret,
)
from pavilion_core.errors import InvalidTransition, InvalidValue, NotFound
from pavilion_core.eventstore import WrongExpectedVersion
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock

from tests.integration.webhook_support import (
    ADMIN,
    LOCAL,
    Receiver,
    approved,
    deliverer,
)
from tests.support import STORY_TIME, assert_stored_events_valid, ok, refused


async def one_event(pool: asyncpg.Pool) -> int:
    """An exhibitors event happens; returns how many deliveries it made."""
    async with pool.acquire() as conn:
        return await enqueue(conn, approved(), STORY_TIME)


async def unreachable(pool: asyncpg.Pool) -> NewSecret:
    """An endpoint nothing is delivered to in these stories."""
    return await register_endpoint(
        pool, "http://127.0.0.1:9/p", ["*"], None, policy=LOCAL, meta=ADMIN, now=STORY_TIME
    )


async def statuses(pool: asyncpg.Pool) -> list[str]:
    return [r["status"] for r in await pool.fetch("SELECT status FROM webhook_deliveries")]


async def test_disable_holds_deliveries_and_enable_resumes_them(
    notifications_pool: asyncpg.Pool,
    receiver: tuple[Receiver, int],
    http: httpx.AsyncClient,
    sealer: Sealer,
) -> None:
    partner, port = receiver
    pool, webhooks = notifications_pool, deliverer(notifications_pool, http, sealer=sealer)
    registered = await register_endpoint(
        pool, f"http://127.0.0.1:{port}/p", ["*"], None, policy=LOCAL, meta=ADMIN, now=STORY_TIME
    )
    partner.secrets["p"], endpoint = registered.secret, registered.endpoint_id
    assert await one_event(pool) == 1

    disabled = await disable_endpoint(pool, endpoint, ADMIN)
    assert await disable_endpoint(pool, endpoint, ADMIN) == disabled  # already: no event
    assert await one_event(pool) == 0  # nothing new for a disabled endpoint
    assert await webhooks.deliver_due() == 0
    assert await statuses(pool) == ["PENDING"] and partner.calls == {}
    assert [e.enabled for e in await list_endpoints(pool)] == [False]

    enabled = await enable_endpoint(pool, endpoint, ADMIN)
    assert await webhooks.deliver_due() == 1
    assert await statuses(pool) == ["SUCCEEDED"] and len(partner.calls["p"]) == 1
    assert registered.version < disabled < enabled
    assert await _endpoint_events(pool, endpoint) == [
        "WebhookEndpointRegistered",
        "WebhookEndpointDisabled",
        "WebhookEndpointEnabled",
    ]


async def test_a_rotated_secret_is_the_only_one_that_signs(
    notifications_pool: asyncpg.Pool,
    receiver: tuple[Receiver, int],
    http: httpx.AsyncClient,
    sealer: Sealer,
) -> None:
    partner, port = receiver
    pool, clock = notifications_pool, FixedClock(STORY_TIME)
    webhooks = deliverer(pool, http, clock, sealer=sealer)
    registered = await register_endpoint(
        pool, f"http://127.0.0.1:{port}/p", ["*"], None, policy=LOCAL, meta=ADMIN, now=STORY_TIME
    )
    partner.secrets["p"] = registered.secret  # the receiver still knows the old one
    rotated = await rotate_secret(pool, registered.endpoint_id, ADMIN)
    assert rotated.secret != registered.secret and rotated.version > registered.version

    await one_event(pool)
    await webhooks.deliver_due()
    assert (await pool.fetchval("SELECT last_error FROM webhook_deliveries")) == "HTTP 401"
    partner.secrets["p"] = rotated.secret  # the partner takes the new one
    clock.advance(timedelta(seconds=2))
    assert await webhooks.deliver_due() == 1
    assert await statuses(pool) == ["SUCCEEDED"]
    stored = await pool.fetch("SELECT data FROM events")
    assert not any(s in r["data"] for r in stored for s in (registered.secret, rotated.secret))


async def test_a_deleted_endpoint_gets_nothing_more_and_keeps_its_history(
    notifications_pool: asyncpg.Pool,
    receiver: tuple[Receiver, int],
    http: httpx.AsyncClient,
    sealer: Sealer,
) -> None:
    partner, port = receiver
    pool = notifications_pool
    registered = await register_endpoint(
        pool, f"http://127.0.0.1:{port}/p", ["*"], None, policy=LOCAL, meta=ADMIN, now=STORY_TIME
    )
    endpoint = registered.endpoint_id
    assert await one_event(pool) == 1
    [pending] = await list_deliveries(pool, endpoint)

    deleted = await delete_endpoint(pool, endpoint, ADMIN, STORY_TIME)
    assert deleted > registered.version
    assert await one_event(pool) == 0
    assert await deliverer(pool, http, sealer=sealer).deliver_due() == 0 and partner.calls == {}
    [abandoned] = await list_deliveries(pool, endpoint)  # its history stays readable
    assert (abandoned.id, abandoned.status) == (pending.id, "ABANDONED")
    assert abandoned.last_error == "abandoned: the endpoint was deleted"
    assert await list_endpoints(pool) == []
    for change in (disable_endpoint, enable_endpoint, rotate_secret):
        with pytest.raises(NotFound):
            await change(pool, endpoint, ADMIN)
    with pytest.raises(NotFound):
        await delete_endpoint(pool, endpoint, ADMIN, STORY_TIME)
    with pytest.raises(InvalidTransition):
        await redeliver(pool, pending.id, STORY_TIME)
    assert (await _endpoint_events(pool, endpoint))[-1] == "WebhookEndpointDeleted"


async def test_each_change_is_an_event_of_the_acting_person_with_increasing_versions(
    notifications_pool: asyncpg.Pool,
) -> None:
    pool = notifications_pool
    registered = await unreachable(pool)
    endpoint = registered.endpoint_id
    versions = [
        registered.version,
        await disable_endpoint(pool, endpoint, ADMIN),
        await enable_endpoint(pool, endpoint, ADMIN),
        (await rotate_secret(pool, endpoint, ADMIN)).version,
        await delete_endpoint(pool, endpoint, ADMIN, STORY_TIME),
    ]
    assert versions == [1, 2, 3, 4, 5]
    rows = await pool.fetch(
        "SELECT type, data, metadata FROM events WHERE stream_id = $1 ORDER BY version", endpoint
    )
    assert [r["type"] for r in rows] == [
        "WebhookEndpointRegistered",
        "WebhookEndpointDisabled",
        "WebhookEndpointEnabled",
        "WebhookSecretRotated",
        "WebhookEndpointDeleted",
    ]
    assert {json.loads(r["metadata"])["actor"] for r in rows} == {"staff:admin"}
    assert all(json.loads(r["data"])["endpointId"] == endpoint for r in rows)
    assert len(await assert_stored_events_valid(pool, "notifications")) == 5


async def test_a_change_that_expected_another_version_is_refused_and_changes_nothing(
    notifications_pool: asyncpg.Pool,
) -> None:
    pool = notifications_pool
    registered = await unreachable(pool)
    endpoint = registered.endpoint_id
    # enabling an enabled endpoint changes nothing, and is refused all the same
    for change in (disable_endpoint, enable_endpoint, rotate_secret):
        with pytest.raises(WrongExpectedVersion):
            await change(pool, endpoint, ADMIN, expected=0)
    with pytest.raises(WrongExpectedVersion):
        await delete_endpoint(pool, endpoint, ADMIN, STORY_TIME, expected=2)
    assert await _endpoint_events(pool, endpoint) == ["WebhookEndpointRegistered"]
    assert [e.enabled for e in await list_endpoints(pool)] == [True]

    assert await disable_endpoint(pool, endpoint, ADMIN, expected=registered.version) == 2
    assert await delete_endpoint(pool, endpoint, ADMIN, STORY_TIME, expected=2) == 3


async def test_the_admin_api_takes_the_contracts_commands(
    notifications_api: httpx.AsyncClient,
) -> None:
    """Each body and path as pavilion_contracts.notifications.commands declares them:
    a stale expectedVersion is a CONFLICT, one where there is no version a VALIDATION
    error, an unknown field too; a change without a body is taken."""
    api = notifications_api
    body = {"url": "http://127.0.0.1:9/p", "eventTypes": ["*"]}
    made = await ok(await api.post("/webhooks", json=body), 201)
    assert made["version"] == 1 and made["secret"]
    endpoint = made["id"]

    stale = await api.post(f"/webhooks/{endpoint}/disable", json={"expectedVersion": 0})
    assert refused(stale, 409, "CONFLICT")["fields"][0]["field"] == ["expectedVersion"]
    assert (await ok(await api.post(f"/webhooks/{endpoint}/disable")))["version"] == 2
    rotated = await api.post(f"/webhooks/{endpoint}/rotate-secret", json={"expectedVersion": 2})
    assert (await ok(rotated))["secret"] not in (None, made["secret"])

    for path, given in [
        ("/webhooks", {**body, "expectedVersion": 0}),
        ("/recipients/opt-in", {"address": "a@b.example", "evidence": "x", "expectedVersion": 1}),
        (f"/webhooks/deliveries/{uuid.uuid4()}/redeliver", {"expectedVersion": 1}),
    ]:
        error = refused(await api.post(path, json=given), 422, "VALIDATION")
        assert error["fields"][0]["field"] == ["expectedVersion"], path
    for path, given in [
        ("/webhooks", {**body, "secret": "mine"}),
        (f"/webhooks/{endpoint}/enable", {"endpointId": endpoint}),
        ("/webhooks/not-an-id/enable", {}),
    ]:
        refused(await api.post(path, json=given), 422, "VALIDATION")
    assert (await ok(await api.post(f"/webhooks/{endpoint}/enable")))["version"] == 4


async def test_unknown_endpoints_and_deliveries_are_not_found(
    notifications_pool: asyncpg.Pool,
) -> None:
    pool, unknown = notifications_pool, "7d0c2a51-5b1e-4a53-9a8e-0c1d2e3f4a5b"
    for nonsense in (unknown, "not-an-id"):
        for change in (disable_endpoint, enable_endpoint, rotate_secret):
            with pytest.raises(NotFound):
                await change(pool, nonsense, ADMIN)
        with pytest.raises(NotFound):
            await delete_endpoint(pool, nonsense, ADMIN, STORY_TIME)
        with pytest.raises(NotFound):
            await list_deliveries(pool, nonsense)
        with pytest.raises(NotFound):
            await redeliver(pool, nonsense, STORY_TIME)


async def test_deliveries_are_listed_newest_first_by_status_in_pages(
    notifications_pool: asyncpg.Pool,
) -> None:
    pool = notifications_pool
    registered = await unreachable(pool)
    endpoint = registered.endpoint_id
    for minutes in range(7):
        async with pool.acquire() as conn:
            await enqueue(conn, approved(), STORY_TIME + timedelta(minutes=minutes))
    await pool.execute(
        "UPDATE webhook_deliveries SET status = 'SUCCEEDED' WHERE created_at < $1",
        STORY_TIME + timedelta(minutes=2),
    )
    pages, after = [], None
    while page := await list_deliveries(pool, endpoint, limit=3, after=after):
        pages.append(page)
        after = page[-1].cursor
    assert [len(p) for p in pages] == [3, 3, 1]
    seen = [d.created_at for p in pages for d in p]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 7
    pending = await list_deliveries(pool, endpoint, status="PENDING")
    assert len(pending) == 5 and {d.status for d in pending} == {"PENDING"}
    for bad in ({"status": "LOST"}, {"limit": 0}, {"limit": 501}):
        with pytest.raises(InvalidValue):
            await list_deliveries(pool, endpoint, **bad)


async def _endpoint_events(pool: asyncpg.Pool, endpoint: str) -> list[str]:
    rows = await pool.fetch(
        "SELECT type FROM events WHERE stream_id = $1 ORDER BY version", endpoint
    )
    return [r["type"] for r in rows]
