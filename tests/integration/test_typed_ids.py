"""An id of the wrong kind is NOT_FOUND, never a record of another kind: a contact's id
used where an interest is expected (outreach's commands and queries, a GraphQL mutation,
and the reactor to an application that names it as its source interest) changes
nothing on the contact's stream; an organization's id used as a contact's gets no
consent appended."""

import uuid

import asyncpg
import httpx
from fastapi import FastAPI
from gateway.relay import global_id
from gateway.schema import schema
from outreach.consumers import Reactions
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock

from tests.integration.gateway_support import gateway
from tests.support import STORY_TIME, cloud_event, ok, refused, submitted_data

QUALIFY = """mutation($id: ID!) {
  qualifyInterest(input: {interestId: $id, wait: false}) { userErrors { code } } }"""
CONSENT = {"channel": "EMAIL", "purpose": "MARKETING", "legalBasis": "EXPRESS",
           "evidence": "signed form"}  # fmt: skip


async def _history(pool: asyncpg.Pool, stream: str) -> list[str]:
    rows = await pool.fetch("SELECT type FROM events WHERE stream_id = $1 ORDER BY version", stream)
    return [row["type"] for row in rows]


async def test_a_contact_id_where_an_interest_is_expected_is_not_found(
    outreach_app: FastAPI,
    outreach_api: httpx.AsyncClient,
    outreach_pool: asyncpg.Pool,
    sealer: Sealer,
):
    body = {"name": "Amélie Tremblay", "email": "amelie@kind.example", "country": "CA",
            "language": "fr"}  # fmt: skip
    contact = (await ok(await outreach_api.post("/contacts", json=body), 201))["id"]
    org_body = {"name": "Port of Montréal", "kind": "COMPANY", "country": "CA"}
    org = (await ok(await outreach_api.post("/organizations", json=org_body), 201))["id"]
    before = await _history(outreach_pool, contact)

    for path, command in [
        (f"/interests/{contact}/qualify", {}),
        (f"/interests/{contact}/owner", {"owner": "staff:li"}),
        (f"/interests/{contact}/notes", {"text": "called back"}),
        (f"/interests/{contact}/lose", {"reason": "no budget"}),
    ]:
        refused(await outreach_api.post(path, json=command), 404, "NOT_FOUND")
    refused(await outreach_api.get(f"/interests/{contact}"), 404, "NOT_FOUND")
    refused(await outreach_api.post(f"/contacts/{org}/consents", json=CONSENT), 404, "NOT_FOUND")
    async with gateway({"outreach": httpx.ASGITransport(app=outreach_app)}) as ctx:
        qualified = await schema.execute(
            QUALIFY, variable_values={"id": global_id("Interest", contact)}, context_value=ctx
        )
    assert qualified.data == {"qualifyInterest": {"userErrors": [{"code": "NOT_FOUND"}]}}

    application = str(uuid.uuid4())
    data = submitted_data(application, "Port of Montréal", "CA", [], "CLEAN_ENERGY")
    submitted = cloud_event(
        "exhibitors", "ApplicationSubmitted", application, **{**data, "sourceInterestId": contact}
    )
    async with outreach_pool.acquire() as conn, conn.transaction():
        await Reactions(FixedClock(STORY_TIME), sealer)(conn, submitted)

    assert await _history(outreach_pool, contact) == before == ["ContactRegistered"]
    assert await _history(outreach_pool, org) == ["OrganizationRegistered"]
