"""The unsubscribe link is the notifications service's only public surface: its GET
shows a confirmation and changes nothing (mail scanners follow links), its POST (the
page's button, RFC 8058 one-click) opts the address out at once; a forged link
changes nothing; nothing else is served there. Opting back in takes an operator's
service token on the internal API, and its evidence is recorded."""

from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
from notifications import api, public
from notifications.config import Config
from pavilion_core.config import KafkaSettings
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EVENT_COLUMNS, recorded_event
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, assert_stored_events_valid, ok, refused, signed

HOSTILE = 'jane"<script>alert(1)</script>@example.com'


@pytest.fixture
async def pages(notifications_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, public.FastAPI]]:
    config = Config(
        notifications_url, KafkaSettings("unused:1", 1, 1), clock=FixedClock(STORY_TIME)
    )
    app = public.create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://unsubscribe") as http:
            yield http, app


def path(app: public.FastAPI, address: str) -> str:
    services = app.state.services
    return str(services.links.link(address)).removeprefix(services.config.public_url)


async def test_the_link_asks_first_and_only_a_post_opts_out(
    pages: tuple[httpx.AsyncClient, public.FastAPI], notifications_pool: asyncpg.Pool
) -> None:
    http, app = pages
    link = path(app, "Jane@Example.com")
    for _ in range(3):  # a scanner following the link, a preview, the person
        page = await http.get(link)
        assert page.status_code == 200 and "jane@example.com" in page.text
        assert '<form method="post">' in page.text
    assert await notifications_pool.fetchval("SELECT count(*) FROM opt_outs") == 0
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"

    one_click = {"List-Unsubscribe": "One-Click"}  # RFC 8058's form body
    done = await http.post(link, data=one_click)
    assert done.status_code == 200 and "will receive no more email" in done.text
    assert (await http.post(link)).status_code == 200  # again: still out, nothing new
    assert await notifications_pool.fetchval("SELECT address FROM opt_outs") == "jane@example.com"
    events = await notifications_pool.fetch("SELECT type, metadata FROM events")
    assert [e["type"] for e in events] == ["RecipientOptedOut"]
    assert "jane" not in events[0]["metadata"]  # nobody's address as actor or correlation id


async def test_a_forged_or_damaged_link_changes_nothing_and_nothing_else_is_served(
    pages: tuple[httpx.AsyncClient, public.FastAPI], notifications_pool: asyncpg.Pool
) -> None:
    http, app = pages
    link = path(app, "jane@example.com")
    for bad in (link[:-3] + "xyz", "/unsubscribe/not-a-token", "/unsubscribe/" + "A" * 500):
        for method in ("GET", "POST"):
            answer = await http.request(method, bad)
            assert answer.status_code == 400 and "not valid" in answer.text, (method, bad)
    assert await notifications_pool.fetchval("SELECT count(*) FROM opt_outs") == 0
    for method, other in [
        ("POST", "/recipients/opt-in"),
        ("POST", "/webhooks"),
        ("GET", "/metrics"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
    ]:
        assert (await http.request(method, other, json={})).status_code in (404, 405), other
    assert (await http.get("/readyz")).status_code == 200


async def test_the_address_on_the_page_is_escaped(
    pages: tuple[httpx.AsyncClient, public.FastAPI],
) -> None:
    http, app = pages
    page = await http.get(path(app, HOSTILE))
    assert "<script>" not in page.text and "&lt;script&gt;" in page.text


async def test_only_an_operator_opts_an_address_back_in_and_the_evidence_is_kept(
    pages: tuple[httpx.AsyncClient, public.FastAPI],
    notifications_url: str,
    notifications_pool: asyncpg.Pool,
    sealer: Sealer,
) -> None:
    http, app = pages
    assert (await http.post(path(app, "jane@example.com"))).status_code == 200
    internal = api.create_app(
        Config(notifications_url, KafkaSettings("unused:1", 1, 1), clock=FixedClock(STORY_TIME))
    )
    body = {"address": "jane@example.com", "evidence": "asked by phone, 2 Dec"}
    async with internal.router.lifespan_context(internal):
        transport = httpx.ASGITransport(app=internal)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify") as anyone:
            refused(await anyone.post("/recipients/opt-in", json=body), 401, "UNAUTHENTICATED")
            assert await notifications_pool.fetchval("SELECT count(*) FROM opt_outs") == 1
            operator = signed("notifications", "staff:li")
            answer = await ok(await anyone.post("/recipients/opt-in", json=body, auth=operator))
    assert answer == {"optedIn": True}
    assert await notifications_pool.fetchval("SELECT count(*) FROM opt_outs") == 0
    row = await notifications_pool.fetchrow(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'RecipientOptedIn'"
    )
    assert "phone" not in row["data"] and "jane" not in row["stream_id"]  # sealed, hashed
    (opted_in,) = await sealer.unseal_recorded([recorded_event(row)])
    assert opted_in.data["evidence"] == "asked by phone, 2 Dec"
    assert opted_in.metadata["actor"] == "staff:li"
    assert await assert_stored_events_valid(notifications_pool, "notifications") == {
        "RecipientOptedOut",
        "RecipientOptedIn",
    }
