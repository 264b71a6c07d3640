"""Read-your-writes over every stream a command wrote. assignBooth changes the
application and the hall's floor plan, which travel on different partitions and may
be projected apart; neither the mutation's own wait nor a wait on its consistency
token answers until the floor plan shows the booth taken too."""

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from gateway.context import Context
from gateway.news import News
from gateway.policy import decode
from gateway.projector import Projector
from gateway.relay import global_id
from gateway.schema import schema
from pavilion_core.envelope import from_kafka, to_kafka
from pavilion_core.pgstore import EVENT_COLUMNS, recorded_event

from tests.integration.gateway_support import gateway as in_process
from tests.integration.test_exhibitors_api import CONTRACT, EDITION, contracted
from tests.support import eventually, ok

ASSIGN = """mutation($app: ID!, $code: String!, $wait: Boolean!) {
  assignBooth(input: {applicationId: $app, hall: "N1", boothCode: $code, wait: $wait}) {
    consistencyToken userErrors { code } exhibitor { booth { code } } } }"""
SHOWN = """query($app: ID!, $token: String) {
  node(id: $app, atLeast: $token) { ... on Exhibitor { booth { code } } } }"""
FLOOR = f'query {{ editionDashboard(edition: "{EDITION}") {{ boothsFree boothsTaken }} }}'
HELD_BACK_SECONDS = 1.0  # how long a wait must still be waiting once half is projected


@dataclass
class ByHand:
    """The projector, applied by hand to chosen streams of the exhibitors' event store
    (announcing as the live one does): the rest is held back, as a lagging partition."""

    store: asyncpg.Pool
    read_model: asyncpg.Pool
    done: set[int]

    async def project(self, streams: Callable[[str], bool] = lambda stream: True) -> None:
        rows = await self.store.fetch(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY position")
        events = [
            recorded_event(row)
            for row in rows
            if row["position"] not in self.done and streams(row["stream_id"])
        ]
        records = [to_kafka(event, "exhibitors") for event in events]
        async with self.read_model.acquire() as conn, conn.transaction():
            await Projector().batch(conn, [from_kafka(r.value, r.headers) for r in records])
        self.done |= {event.position for event in events}


@pytest.fixture
async def gateway(
    exhibitors_app: FastAPI, read_pool: asyncpg.Pool, read_model_url: str
) -> AsyncIterator[Context]:
    news = News(read_model_url)
    await news.start()
    exhibitors = httpx.ASGITransport(app=exhibitors_app)
    async with in_process({"exhibitors": exhibitors}, read_pool, news) as ctx:
        yield ctx
    await news.close()


async def _ready(api: httpx.AsyncClient, projection: ByHand, booths: int) -> list[str]:
    """Booths N1-1… of hall N1 and as many applications that may take one, projected."""
    apps = []
    for n in range(1, booths + 1):
        await ok(
            await api.post(
                f"/editions/{EDITION}/halls/N1/booths",
                json={"boothCode": f"N1-{n}", "sizeSqm": 18, "supplyChainArea": "CLEAN_ENERGY"},
            ),
            201,
        )
        apps.append(global_id("Exhibitor", await contracted(api, f"Co {n}", paid=CONTRACT)))
    await projection.project()
    return apps


async def _run(ctx: Context, query: str, **variables: Any) -> dict[str, Any]:
    result = await schema.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    return result.data  # type: ignore[return-value]


async def _held_back_until_the_floor_plan_shows(
    waiting: asyncio.Task[dict[str, Any]], projection: ByHand, application: str
) -> dict[str, Any]:
    """Project the application's events alone: `waiting` must still wait. Then the
    floor plan's: it answers."""
    await projection.project(lambda stream: stream == application)
    done, _ = await asyncio.wait({waiting}, timeout=HELD_BACK_SECONDS)
    assert not done, f"answered before the floor plan showed the booth: {waiting.result()}"
    await projection.project()
    return await asyncio.wait_for(waiting, 10)


async def test_a_token_of_assign_booth_covers_the_floor_plan_too(
    gateway: Context, exhibitors_api: httpx.AsyncClient, store_pool: asyncpg.Pool
):
    projection = ByHand(store_pool, gateway.pool, set())
    [app] = await _ready(exhibitors_api, projection, 1)
    assigned = await _run(gateway, ASSIGN, app=app, code="N1-1", wait=False)
    token = assigned["assignBooth"]["consistencyToken"]

    waiting = asyncio.create_task(_run(gateway, SHOWN, app=app, token=token))
    shown = await _held_back_until_the_floor_plan_shows(waiting, projection, decode(app).local)

    assert shown["node"]["booth"] == {"code": "N1-1"}
    floor = await _run(gateway, FLOOR)
    assert floor["editionDashboard"] == {"boothsFree": 0, "boothsTaken": 1}


async def test_assign_booth_answers_once_the_floor_plan_shows_the_booth(
    gateway: Context, exhibitors_api: httpx.AsyncClient, store_pool: asyncpg.Pool
):
    projection = ByHand(store_pool, gateway.pool, set())
    [app] = await _ready(exhibitors_api, projection, 1)

    waiting = asyncio.create_task(_run(gateway, ASSIGN, app=app, code="N1-1", wait=True))
    await _appended(store_pool, "BoothAllocated")
    answer = await _held_back_until_the_floor_plan_shows(waiting, projection, decode(app).local)

    assert answer["assignBooth"]["exhibitor"]["booth"] == {"code": "N1-1"}
    floor = await _run(gateway, FLOOR)
    assert floor["editionDashboard"] == {"boothsFree": 0, "boothsTaken": 1}


async def _appended(pool: asyncpg.Pool, event_type: str) -> None:
    await eventually(
        lambda: pool.fetchval("SELECT count(*) FROM events WHERE type = $1", event_type),
        what=f"a {event_type} in the event store",
    )
