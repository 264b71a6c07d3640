"""Editions over the exhibitors command API, against the real PostgreSQL: created,
listed, their applications opened and closed, a floor plan copied, each refusal typed;
and the seed, which creates the editions of its file once however many processes start
at the same time, and stops the service when it makes no valid editions."""

import asyncio
import json
from pathlib import Path

import asyncpg
import httpx
import pytest
from exhibitors.bootstrap import start
from exhibitors.config import Config
from pavilion_core.config import ConfigError, KafkaSettings
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, ok, refused

EDITION, NEXT = "CISCE-2026", "CISCE-2027"
FIFTH = {
    "code": NEXT,
    "name": "5th China International Supply Chain Expo",
    "city": "Beijing",
    "country": "CN",
    "startsOn": "2027-06-21",
    "endsOn": "2027-06-25",
    "timezone": "Asia/Shanghai",
    "currency": "CNY",
    "supplyChainAreas": ["CLEAN_ENERGY"],
    "depositThresholdPct": 50,
    "opensAt": "2027-06-21T09:00:00+08:00",
    "applicationsOpenAt": "2026-09-01T00:00:00+08:00",
    "applicationsCloseAt": "2027-06-01T00:00:00+08:00",
}


async def test_an_edition_is_created_listed_opened_closed_and_given_a_floor_plan(
    exhibitors_api: httpx.AsyncClient,
) -> None:
    api = exhibitors_api
    created = await ok(await api.post("/editions", json=FIFTH), 201)
    assert created["version"] == 1
    listed = await ok(await api.get("/editions"))
    assert [e["code"] for e in listed] == [EDITION, NEXT]
    assert listed[0]["applicationsOpenAt"] == "2025-09-01T00:00:00+08:00"  # the seed's
    assert listed[0]["applicationsCloseAt"] == listed[0]["opensAt"]

    await ok(await api.post(f"/editions/{NEXT}/applications/open", json={}))
    shown = await ok(await api.get(f"/editions/{NEXT}"))
    assert shown["applicationsOpenAt"] == STORY_TIME.isoformat()
    await ok(await api.post(f"/editions/{NEXT}/applications/close", json={}))
    closed = await ok(await api.post(f"/editions/{NEXT}/applications/close", json={}))
    assert closed["version"] == 3  # closing closed ones appends nothing

    body = {"boothCode": "N1-1", "sizeSqm": 18, "supplyChainArea": "CLEAN_ENERGY"}
    await ok(await api.post(f"/editions/{EDITION}/halls/N1/booths", json=body), 201)
    await ok(await api.post(f"/editions/{NEXT}/floor-plan/copy", json={"fromEdition": EDITION}))
    plan = await ok(await api.get(f"/editions/{NEXT}/halls/N1"))
    assert [(b["code"], b["sizeSqm"]) for b in plan["booths"]] == [("N1-1", 18)]


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/editions", {**FIFTH, "timezone": "Asia/Atlantis"}, 422, "VALIDATION"),
        ("/editions", {**FIFTH, "depositThresholdPct": 120}, 422, "VALIDATION"),
        ("/editions", {**FIFTH, "endsOn": "2027-06-01"}, 422, "VALIDATION"),
        ("/editions", {**FIFTH, "code": EDITION}, 409, "DUPLICATE"),
        ("/editions/CISCE-1999/applications/open", {}, 404, "NOT_FOUND"),
        (f"/editions/{EDITION}/floor-plan/copy", {"fromEdition": "CISCE-1999"}, 422, "VALIDATION"),
    ],
)
async def test_refusals_are_typed_and_change_nothing(
    exhibitors_api: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    path: str,
    body: dict[str, object],
    status: int,
    code: str,
) -> None:
    before = await store_pool.fetchval("SELECT count(*) FROM events")
    refused(await exhibitors_api.post(path, json=body), status, code)
    assert await store_pool.fetchval("SELECT count(*) FROM events") == before


def _config(url: str, editions_file: str | None = None) -> Config:
    kafka = KafkaSettings("unused:1", 1, 1)
    return Config(url, kafka, editions_file=editions_file, clock=FixedClock(STORY_TIME))


async def test_processes_starting_at_once_seed_each_edition_once(
    store_url: str, store_pool: asyncpg.Pool, tmp_path: Path
) -> None:
    seed = tmp_path / "editions.json"
    seed.write_text(json.dumps([FIFTH, {**FIFTH, "code": "EXPO-2028"}]))
    started = await asyncio.gather(*(start(_config(store_url, str(seed))) for _ in range(4)))
    for services in started:
        await services.close()
    created = await store_pool.fetch(
        "SELECT stream_id FROM events WHERE type = 'EditionCreated' ORDER BY stream_id"
    )
    assert [r["stream_id"] for r in created] == ["edition:CISCE-2027", "edition:EXPO-2028"]


@pytest.mark.parametrize(
    "editions",
    [
        [{**FIFTH, "currency": "yuan"}],  # malformed
        [{**FIFTH, "applicationsCloseAt": "2027-07-01T00:00:00+08:00"}],  # after it opens
    ],
)
async def test_a_seed_that_makes_no_valid_editions_stops_the_service(
    store_url: str, tmp_path: Path, editions: list[dict[str, str]]
) -> None:
    seed = tmp_path / "editions.json"
    seed.write_text(json.dumps(editions))
    with pytest.raises(ConfigError, match="invalid edition"):
        await start(_config(store_url, str(seed)))
