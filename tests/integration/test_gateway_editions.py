"""Editions as records through the GraphQL API, against the real exhibitors service and
read model: staff create the 5th expo, copy the 4th's floor plan into it, open and close
its applications; a submission is refused while they are closed and taken while they
are open; the editions query shows each change once projected. An EXHIBITOR or a
VIEWER is refused and changes nothing."""

import dataclasses
from typing import Any

import asyncpg
import httpx
from gateway.auth import Role, Viewer
from gateway.context import Context
from gateway.schema import schema
from pavilion_core.testing import FixedClock

from tests.integration.test_consistency import ByHand, gateway  # noqa: F401 (a fixture)
from tests.integration.test_exhibitors_editions import EDITION, NEXT
from tests.integration.test_exhibitors_editions import FIFTH as EXHIBITORS_FIFTH
from tests.support import STORY_TIME, ok

FIFTH = {**EXHIBITORS_FIFTH, "supplyChainAreas": ["CLEAN_ENERGY", "SMART_VEHICLES"]}
ANSWER = "version userErrors { field code message }"
CREATE = f"mutation($input: CreateEditionInput!) {{ createEdition(input: $input) {{ {ANSWER} }} }}"
COPY = f"""mutation {{ copyFloorPlan(input: {{edition: "{NEXT}", fromEdition: "{EDITION}",
  wait: false}}) {{ {ANSWER} }} }}"""
OPEN = f"""mutation {{ openEditionApplications(input: {{edition: "{NEXT}", wait: false}}) {{
  {ANSWER} }} }}"""
CLOSE = f"""mutation {{ closeEditionApplications(input: {{edition: "{NEXT}", wait: false}}) {{
  {ANSWER} }} }}"""
SUBMIT = f"""mutation($name: String!) {{ submitExhibitorApplication(input: {{
  edition: "{NEXT}", companyName: $name, country: "CA", supplyChainAreas: [CLEAN_ENERGY],
  wait: false}}) {{ {ANSWER} }} }}"""
EDITIONS = """{ editions { code city timezone currency depositThresholdPct opensAt
  applicationsOpenAt applicationsCloseAt acceptingApplications } }"""
ONE = f"""{{ edition(code: "{NEXT}") {{
  applicationsOpenAt applicationsCloseAt acceptingApplications }} }}"""
PLAN = f"""{{ floorPlan(edition: "{NEXT}") {{ halls {{ code booths(first: 10) {{ edges {{ node {{
  code sizeSqm supplyChainArea state }} }} }} }} }} }}"""


async def _run(ctx: Context, query: str, **variables: Any) -> dict[str, Any]:
    ctx.fresh_loaders()  # a request's own, as the API makes a context per request
    result = await schema.execute(query, variable_values=variables, context_value=ctx)
    assert result.errors is None, result.errors
    return result.data  # type: ignore[return-value]


def _errors(answer: dict[str, Any]) -> list[str]:
    [payload] = answer.values()
    return [error["code"] for error in payload["userErrors"]]


def _as(ctx: Context, role: Role) -> Context:
    return dataclasses.replace(ctx, viewer=Viewer(f"{role.value.lower()}:test", role))


async def _booth(api: httpx.AsyncClient, hall: str, code: str, area: str) -> None:
    body = {"boothCode": code, "sizeSqm": 18, "supplyChainArea": area}
    await ok(await api.post(f"/editions/{EDITION}/halls/{hall}/booths", json=body), 201)


async def test_staff_create_an_edition_copy_its_floor_plan_and_open_and_close_it(
    gateway: Context,  # noqa: F811 (the fixture imported above)
    exhibitors_api: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
) -> None:
    gateway.services.clock = FixedClock(STORY_TIME)  # the exhibitors service's time
    projection = ByHand(store_pool, gateway.pool, set())
    await _booth(exhibitors_api, "N1", "N1-1", "CLEAN_ENERGY")
    await _booth(exhibitors_api, "S1", "S1-1", "SMART_VEHICLES")

    created = await _run(gateway, CREATE, input={**FIFTH, "wait": False})
    assert created["createEdition"] == {"version": 1, "userErrors": []}
    again = await _run(gateway, CREATE, input={**FIFTH, "name": "again", "wait": False})
    assert _errors(again) == ["DUPLICATE"]
    assert (await _run(gateway, COPY))["copyFloorPlan"] == {"version": 2, "userErrors": []}
    await projection.project()

    listed = (await _run(gateway, EDITIONS))["editions"]
    assert [e["code"] for e in listed] == [EDITION, NEXT]
    fifth = listed[1]
    assert (fifth["timezone"], fifth["currency"], fifth["depositThresholdPct"]) == (
        "Asia/Shanghai", "CNY", 50)  # fmt: skip
    assert fifth["applicationsOpenAt"] == "2026-08-31T16:00:00+00:00"
    assert fifth["acceptingApplications"] is False  # the story is in December 2025
    assert listed[0]["acceptingApplications"] is True  # the 4th: since September 2025
    plan = (await _run(gateway, PLAN))["floorPlan"]
    booths = {
        (hall["code"], edge["node"]["code"], edge["node"]["supplyChainArea"], edge["node"]["state"])
        for hall in plan["halls"]
        for edge in hall["booths"]["edges"]
    }
    assert booths == {
        ("N1", "N1-1", "CLEAN_ENERGY", "FREE"),
        ("S1", "S1-1", "SMART_VEHICLES", "FREE"),
    }

    refused = await _run(gateway, SUBMIT, name="Too Early Ltd")
    [error] = refused["submitExhibitorApplication"]["userErrors"]
    assert error["code"] == "INVALID_TRANSITION"
    assert "does not accept applications before 2026-09-01" in error["message"]

    assert _errors(await _run(gateway, OPEN)) == []
    taken = await _run(gateway, SUBMIT, name="Early Bird Ltd")
    assert taken["submitExhibitorApplication"] == {"version": 1, "userErrors": []}
    await projection.project()
    shown = (await _run(gateway, ONE))["edition"]
    assert shown["acceptingApplications"] is True
    assert shown["applicationsOpenAt"] == STORY_TIME.isoformat()

    assert _errors(await _run(gateway, CLOSE)) == []
    assert _errors(await _run(gateway, CLOSE)) == []  # closed already: nothing changes
    late = await _run(gateway, SUBMIT, name="Late Ltd")
    assert _errors(late) == ["INVALID_TRANSITION"]
    await projection.project()
    shown = (await _run(gateway, ONE))["edition"]
    assert (shown["applicationsCloseAt"], shown["acceptingApplications"]) == (
        STORY_TIME.isoformat(), False)  # fmt: skip


async def test_an_exhibitor_or_a_viewer_may_not_touch_editions(
    gateway: Context,  # noqa: F811
    store_pool: asyncpg.Pool,
) -> None:
    before = await store_pool.fetchval("SELECT count(*) FROM events")
    for role in (Role.EXHIBITOR, Role.VIEWER):
        them = _as(gateway, role)
        for mutation in (COPY, OPEN, CLOSE):
            assert _errors(await _run(them, mutation)) == ["FORBIDDEN"]
        assert _errors(await _run(them, CREATE, input=FIFTH)) == ["FORBIDDEN"]
    assert await store_pool.fetchval("SELECT count(*) FROM events") == before
    assert (
        await store_pool.fetchval(
            "SELECT count(*) FROM events WHERE stream_id = $1", f"edition:{NEXT}"
        )
        == 0
    )
