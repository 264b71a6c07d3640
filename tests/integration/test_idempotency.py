"""Idempotency keys as callers see them: a key is its caller's own (another caller's
request with the same key is run as its own), and the gateway mints one for a mutation
that brings none and hands it back, so that a create whose answer was lost can be
retried without creating twice."""

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from gateway.context import Context
from gateway.schema import schema

from tests.integration.gateway_support import gateway as in_process
from tests.support import ok, signed

PORT = {"name": "Port of Montréal", "kind": "COMPANY", "country": "CA"}
REGISTER = """mutation($key: String) {
  registerOrganization(input: {name: "Port of Montréal", kind: COMPANY, country: "CA",
                               wait: false, idempotencyKey: $key}) {
    version idempotencyKey userErrors { code } } }"""


async def _registered(pool: asyncpg.Pool) -> int:
    return int(
        await pool.fetchval("SELECT count(*) FROM events WHERE type = 'OrganizationRegistered'")
    )


async def test_one_key_sent_by_two_callers_runs_each_callers_request(
    outreach_api: httpx.AsyncClient, outreach_pool: asyncpg.Pool
):
    key = {"idempotency-key": "create-port-1"}
    alice = await outreach_api.post("/organizations", json=PORT, headers=key)
    bob = await outreach_api.post(
        "/organizations", json=PORT, headers=key, auth=signed("outreach", "staff:bob")
    )
    again = await outreach_api.post("/organizations", json=PORT, headers=key)

    assert (await ok(bob, 201))["id"] != (await ok(alice, 201))["id"]
    assert "idempotent-replayed" not in bob.headers
    assert (await ok(again, 201))["id"] == alice.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert await _registered(outreach_pool) == 2


class LostAnswers(httpx.AsyncBaseTransport):
    """The service gets each request and acts on it; the first `lost` answers never
    come back (the gateway sees a timeout)."""

    def __init__(self, app: FastAPI, lost: int) -> None:
        self.inner, self.lost = httpx.ASGITransport(app=app), lost

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lost:
            self.lost -= 1
            raise httpx.ReadTimeout("the answer was lost", request=request)
        return response


@pytest.fixture
async def gateway(outreach_app: FastAPI) -> AsyncIterator[tuple[Context, LostAnswers]]:
    lossy = LostAnswers(outreach_app, lost=0)
    async with in_process({"outreach": lossy}) as ctx:
        yield ctx, lossy


async def _register(ctx: Context, key: str | None = None) -> Any:
    return await schema.execute(REGISTER, variable_values={"key": key}, context_value=ctx)


async def test_a_create_whose_answer_was_lost_is_retried_with_the_minted_key_once(
    gateway: tuple[Context, LostAnswers], outreach_pool: asyncpg.Pool
):
    ctx, lossy = gateway
    lossy.lost = 1
    lost = await _register(ctx)
    [error] = lost.errors or []
    assert error.extensions["code"] == "UNAVAILABLE"
    minted = error.extensions["idempotencyKey"]

    retried = await _register(ctx, minted)

    assert retried.errors is None, retried.errors
    payload = retried.data["registerOrganization"]
    assert payload == {"version": 1, "idempotencyKey": minted, "userErrors": []}
    assert await _registered(outreach_pool) == 1


async def test_a_mutation_answers_the_key_it_ran_with(gateway: tuple[Context, LostAnswers]):
    ctx, _ = gateway
    given = await _register(ctx, "client-key-1")
    minted = await _register(ctx)
    assert given.data["registerOrganization"]["idempotencyKey"] == "client-key-1"
    key = minted.data["registerOrganization"]["idempotencyKey"]
    assert key and key != "client-key-1"
