"""The exhibitors command API over HTTP, against the real PostgreSQL.

Every error path answers with its code and status — never a 500 for bad input — and
20 concurrent booth assignments for one booth let exactly one through.
"""

import asyncio
import json
from typing import Any

import httpx
import pytest
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore

from tests.support import assert_stored_events_valid, ok, refused

EDITION = "CISCE-2026"
CONTRACT = 12_000_000  # CNY 120,000.00
VALID = {
    "edition": EDITION,
    "companyName": "Prairie Grain Co-op",
    "country": "ca",
    "supplyChainAreas": ["GREEN_AGRICULTURE", "GREEN_AGRICULTURE"],
    "productCategories": ["canola"],
    "contacts": [{"name": "Sam Lee", "email": "Sam@Prairie.example"}],
}


@pytest.fixture
def api(exhibitors_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return exhibitors_api


async def submitted(api: httpx.AsyncClient, name: str, **extra: Any) -> str:
    body = await ok(
        await api.post("/applications", json={**VALID, "companyName": name, **extra}),
        201,
    )
    return str(body["id"])


async def contracted(api: httpx.AsyncClient, name: str, paid: int = 0) -> str:
    app = await submitted(api, name)
    await ok(await api.post(f"/applications/{app}/review", json={}))
    await ok(await api.post(f"/applications/{app}/approve", json={}))
    await ok(
        await api.post(
            f"/applications/{app}/contract",
            json={"amount": CONTRACT, "currency": "CNY", "dueDate": "2026-03-31"},
        )
    )
    await ok(await api.post(f"/applications/{app}/contract/sign", json={}))
    if paid:
        await ok(
            await api.post(
                f"/applications/{app}/payments",
                json={"amount": paid, "currency": "CNY", "reference": "wire"},
            )
        )
    return app


async def test_submit_stores_the_event_with_its_metadata(
    api: httpx.AsyncClient, store_pool, sealer: Sealer
):
    # the actor is the service token's (staff:test); a header claiming another is ignored
    headers = {"x-correlation-id": "corr-42", "x-actor": "staff:7"}
    body = await ok(await api.post("/applications", json=VALID, headers=headers), 201)

    assert body["version"] == 1 and len(body["eventIds"]) == 1
    row = await store_pool.fetchrow(
        "SELECT data, metadata FROM events WHERE stream_id = $1", body["id"]
    )
    data, meta = json.loads(row["data"]), json.loads(row["metadata"])
    assert data["country"] == "CA" and data["supplyChainAreas"] == ["GREEN_AGRICULTURE"]
    assert data["contacts"][0]["email"].startswith("pii:1:person:")  # sealed at rest
    (stored,) = await EventStore(store_pool, sealer).read_stream(body["id"])
    assert stored.data["contacts"][0]["email"] == "sam@prairie.example"
    assert meta == {"correlation_id": "corr-42", "causation_id": None, "actor": "staff:test"}


async def test_a_submission_records_the_address_and_languages_as_v2(
    api: httpx.AsyncClient, store_pool, sealer
):
    address = {"streetLines": ["1 Grain Rd"], "city": "Regina", "postalCode": "S4P 3Y2",
               "region": "Saskatchewan", "country": "ca"}  # fmt: skip
    contacts = [{"name": "Sam Lee", "email": "sam@prairie.example", "language": "fr-CA"}]
    body = await ok(
        await api.post("/applications", json={**VALID, "address": address, "contacts": contacts}),
        201,
    )
    row = await store_pool.fetchrow(
        "SELECT schema_version, data FROM events WHERE stream_id = $1", body["id"]
    )
    assert row["schema_version"] == 2
    assert json.loads(row["data"])["address"]["postalCode"].startswith("pii:1:record:")
    (stored,) = await EventStore(store_pool, sealer).read_stream(body["id"])
    assert stored.data["address"] == {**address, "country": "CA"}
    assert stored.data["contacts"][0]["language"] == "fr-CA"
    stored_types = await assert_stored_events_valid(store_pool, "exhibitors")
    assert stored_types == {"EditionCreated", "ApplicationSubmitted"}  # the seed's, and it


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"edition": "x"}, "edition"),
        ({"edition": "NOPE-2030"}, "edition"),
        ({"companyName": ""}, "companyName"),
        ({"country": "XX"}, "country"),
        ({"supplyChainAreas": []}, "supplyChainAreas"),
        ({"supplyChainAreas": ["MINING"]}, "supplyChainAreas"),
        ({"contacts": [{"name": "A", "email": "not-an-email"}]}, "contacts"),
        ({"expectedVersion": -1}, "expectedVersion"),
        ({"boothSizeSqm": 0}, "boothSizeSqm"),
        ({"contacts": [{"name": "A", "email": "a@b.example", "language": "French"}]}, "contacts"),
        ({"address": {"city": "Toronto"}}, "address"),  # at least the country
        ({"address": {"country": "CA", "streetLines": ["x"] * 5}}, "address"),
        ({"unknownField": 1}, "unknownField"),
    ],
)
async def test_invalid_submissions_are_validation_errors_naming_the_field(api, change, field):
    error = refused(await api.post("/applications", json={**VALID, **change}), 422, "VALIDATION")
    assert any(f["field"][0] == field for f in error["fields"]), error


async def test_malformed_json_and_a_malformed_id_are_validation_errors(
    api: httpx.AsyncClient,
):
    response = await api.post(
        "/applications", content=b"{nope", headers={"content-type": "application/json"}
    )
    refused(response, 422, "VALIDATION")
    refused(await api.post("/applications/not-a-uuid/review", json={}), 422, "VALIDATION")


async def test_the_lifecycle_over_http_with_each_refusal(api: httpx.AsyncClient):
    app = await submitted(api, "Lifecycle Ltd")
    error = refused(
        await api.post(f"/applications/{app}/approve", json={}),
        409,
        "INVALID_TRANSITION",
    )
    assert "SUBMITTED" in error["message"]
    refused(
        await api.post(f"/applications/{app}/review", json={"expectedVersion": 0}),
        409,
        "CONFLICT",
    )
    await ok(await api.post(f"/applications/{app}/review", json={"expectedVersion": 1}))
    refused(await api.post(f"/applications/{app}/reject", json={}), 422, "VALIDATION")
    await ok(await api.post(f"/applications/{app}/approve", json={}))
    refused(
        await api.post(
            f"/applications/{app}/contract",
            json={"amount": 100, "currency": "USD", "dueDate": "2026-03-31"},
        ),
        422,
        "VALIDATION",
    )
    refused(
        await api.post(
            f"/applications/{app}/contract",
            json={"amount": -5, "currency": "CNY", "dueDate": "2026-03-31"},
        ),
        422,
        "VALIDATION",
    )
    await ok(
        await api.post(
            f"/applications/{app}/contract",
            json={"amount": CONTRACT, "currency": "CNY", "dueDate": "2026-03-31"},
        )
    )
    await ok(await api.post(f"/applications/{app}/contract/sign", json={}))
    refused(
        await api.post(
            f"/applications/{app}/payments",
            json={"amount": CONTRACT + 1, "currency": "CNY", "reference": "x"},
        ),
        422,
        "VALIDATION",
    )
    await ok(
        await api.post(
            f"/applications/{app}/payments",
            json={"amount": CONTRACT, "currency": "CNY", "reference": "x"},
        )
    )
    refused(
        await api.post(f"/applications/{app}/booth", json={"hall": "H1", "boothCode": "H1-1"}),
        404,
        "NOT_FOUND",
    )
    await ok(
        await api.post(
            f"/editions/{EDITION}/halls/H1/booths",
            json={"boothCode": "H1-1", "sizeSqm": 18, "supplyChainArea": "GREEN_AGRICULTURE"},
        ),
        201,
    )
    refused(
        await api.post(
            f"/editions/{EDITION}/halls/H1/booths",
            json={"boothCode": "H1-1", "sizeSqm": 18, "supplyChainArea": "GREEN_AGRICULTURE"},
        ),
        409,
        "DUPLICATE",
    )
    await ok(await api.post(f"/applications/{app}/booth", json={"hall": "H1", "boothCode": "H1-1"}))
    await ok(await api.post(f"/applications/{app}/confirm", json={}))

    state = await ok(await api.get(f"/applications/{app}"))
    assert (state["status"], state["paidAmount"], state["booth"]) == (
        "CONFIRMED",
        CONTRACT,
        {"hall": "H1", "code": "H1-1"},
    )
    plan = await ok(await api.get(f"/editions/{EDITION}/halls/H1"))
    assert plan["booths"][0]["allocatedTo"] == app


async def test_profile_contacts_areas_and_categories_over_http(api: httpx.AsyncClient):
    app = await submitted(api, "Profile Inc")
    await ok(
        await api.post(
            f"/applications/{app}/profile",
            json={"website": "https://profile.example", "country": "us"},
        )
    )
    refused(
        await api.post(f"/applications/{app}/profile", json={"website": "ftp://x"}),
        422,
        "VALIDATION",
    )
    await ok(
        await api.post(
            f"/applications/{app}/contacts", json={"name": "Kim", "email": "kim@profile.example"}
        )
    )
    refused(
        await api.post(
            f"/applications/{app}/contacts", json={"name": "Kim", "email": "KIM@profile.example"}
        ),
        409,
        "DUPLICATE",
    )
    await ok(
        await api.post(
            f"/applications/{app}/contacts/remove", json={"email": "kim@profile.example"}
        )
    )
    refused(
        await api.post(
            f"/applications/{app}/contacts/remove", json={"email": "kim@profile.example"}
        ),
        404,
        "NOT_FOUND",
    )
    forget = {"email": "Kim@profile.example"}
    answer = await ok(await api.post(f"/applications/{app}/contacts/forget", json=forget))
    assert answer["version"] == 5
    # Their key is gone: the application no longer knows the address, even to forget it
    # again (a retry with the same idempotency key gets the first answer).
    refused(await api.post(f"/applications/{app}/contacts/forget", json=forget), 404, "NOT_FOUND")
    kim = {"name": "Kim", "email": "kim@profile.example"}  # named again: a new entry
    assert (await ok(await api.post(f"/applications/{app}/contacts", json=kim)))["version"] == 6
    unknown = {"email": "nobody@profile.example"}
    refused(await api.post(f"/applications/{app}/contacts/forget", json=unknown), 404, "NOT_FOUND")
    await ok(
        await api.post(
            f"/applications/{app}/supply-chain-areas", json={"supplyChainAreas": ["CLEAN_ENERGY"]}
        )
    )
    await ok(
        await api.post(
            f"/applications/{app}/product-categories", json={"productCategories": ["solar"]}
        )
    )
    state = await ok(await api.get(f"/applications/{app}"))
    assert (state["country"], state["supplyChainAreas"], state["productCategories"]) == (
        "US",
        ["CLEAN_ENERGY"],
        ["solar"],
    )


async def test_unknown_things_are_not_found(api: httpx.AsyncClient):
    missing = "00000000-0000-0000-0000-000000000000"
    refused(await api.get(f"/applications/{missing}"), 404, "NOT_FOUND")
    refused(
        await api.post(f"/applications/{missing}/withdraw", json={"reason": "x"}),
        404,
        "NOT_FOUND",
    )
    refused(await api.get("/editions/NOPE"), 404, "NOT_FOUND")
    editions = await ok(await api.get("/editions"))
    assert editions[0]["code"] == EDITION and editions[0]["depositThresholdPct"] == 50


async def test_a_second_application_of_the_same_company_is_a_duplicate(
    api: httpx.AsyncClient,
):
    first = await submitted(api, "Prairie Grain Co-op")
    error = refused(
        await api.post("/applications", json={**VALID, "companyName": "prairie grain CO-OP"}),
        409,
        "DUPLICATE",
    )
    assert first in error["message"]


async def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(api):
    headers = {"idempotency-key": "submit-prairie-1"}
    first = await api.post("/applications", json=VALID, headers=headers)
    again = await api.post("/applications", json=VALID, headers=headers)
    assert await ok(again, 201) == await ok(first, 201)
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    other = refused(
        await api.post("/applications", json={**VALID, "companyName": "Other"}, headers=headers),
        422,
        "VALIDATION",
    )
    assert other["fields"][0]["field"] == ["Idempotency-Key"]


async def test_twenty_concurrent_assignments_of_one_booth_let_exactly_one_through(api):
    await ok(
        await api.post(
            f"/editions/{EDITION}/halls/A/booths",
            json={"boothCode": "A-1", "sizeSqm": 36, "supplyChainArea": "CLEAN_ENERGY"},
        ),
        201,
    )
    apps = [await contracted(api, f"Racer {i}", paid=CONTRACT // 2) for i in range(20)]

    responses = await asyncio.gather(
        *(
            api.post(f"/applications/{a}/booth", json={"hall": "A", "boothCode": "A-1"})
            for a in apps
        )
    )

    winners = [a for a, r in zip(apps, responses, strict=True) if r.status_code == 200]
    assert len(winners) == 1, [r.status_code for r in responses]
    for r in responses:
        if r.status_code != 200:
            assert refused(r, 409, "INVALID_TRANSITION")["message"].endswith(winners[0])
    plan = await ok(await api.get(f"/editions/{EDITION}/halls/A"))
    assert plan["booths"][0]["allocatedTo"] == winners[0]
    assert plan["version"] == 2  # defined, allocated once

    # the winner withdraws: the booth goes to the first on the waitlist
    waiting = []
    for name, previous, size in [("Late Small", 0, 9), ("Veteran", 2, 18), ("Late Big", 0, 54)]:
        app = await submitted(api, name, previousEditions=previous, boothSizeSqm=size)
        await ok(await api.post(f"/applications/{app}/review", json={}))
        await ok(await api.post(f"/applications/{app}/waitlist", json={}))
        waiting.append(app)
    await ok(await api.post(f"/applications/{winners[0]}/withdraw", json={"reason": "budget"}))

    plan = await ok(await api.get(f"/editions/{EDITION}/halls/A"))
    assert (plan["booths"][0]["allocatedTo"], plan["booths"][0]["offeredTo"]) == (None, waiting[1])
    veteran = await ok(await api.get(f"/applications/{waiting[1]}"))
    assert veteran["offeredBooth"] == {"hall": "A", "code": "A-1"}
