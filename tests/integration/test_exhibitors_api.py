"""The exhibitors command API over HTTP, against the real PostgreSQL.

Bad input gets a typed JSON error with the right status, never a 500.
"""

import asyncio
import json
from collections.abc import Iterator

import pytest
from exhibitors.api import create_app
from exhibitors.config import Config
from fastapi.testclient import TestClient
from pavilion_core.config import KafkaSettings

VALID = {
    "edition": "CISCE-2026",
    "companyName": "Prairie Grain Co-op",
    "country": "ca",
    "supplyChainAreas": ["GREEN_AGRICULTURE", "GREEN_AGRICULTURE"],
    "productCategories": ["canola"],
    "contacts": [{"name": "Sam Lee", "email": "Sam@Prairie.example"}],
}


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    config = Config(store_url, KafkaSettings("unused:1", 1, 1), "unused", "127.0.0.1", 0, 1)
    with TestClient(create_app(config)) as client:
        yield client


async def test_submit_returns_the_new_application_and_stores_the_event(client, store_pool):
    headers = {"x-correlation-id": "corr-42", "x-actor": "staff:7"}
    response = await asyncio.to_thread(client.post, "/applications", json=VALID, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"] == 1 and len(body["eventIds"]) == 1
    assert response.headers["x-correlation-id"] == "corr-42"
    row = await store_pool.fetchrow(
        "SELECT data, metadata FROM events WHERE stream_id = $1", body["id"]
    )
    data, meta = json.loads(row["data"]), json.loads(row["metadata"])
    assert data["country"] == "CA" and data["supplyChainAreas"] == ["GREEN_AGRICULTURE"]
    assert data["contacts"][0]["email"] == "sam@prairie.example"
    assert meta == {"correlation_id": "corr-42", "causation_id": None, "actor": "staff:7"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"edition": "x"}, "edition"),
        ({"companyName": ""}, "companyName"),
        ({"country": "XX"}, "country"),
        ({"supplyChainAreas": []}, "supplyChainAreas"),
        ({"supplyChainAreas": ["MINING"]}, "supplyChainAreas"),
        ({"contacts": [{"name": "A", "email": "not-an-email"}]}, "contacts"),
        ({"expectedVersion": -1}, "expectedVersion"),
        ({"unknownField": 1}, "unknownField"),
    ],
)
def test_invalid_commands_are_validation_errors_naming_the_field(client, change, field):
    response = client.post("/applications", json={**VALID, **change})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "VALIDATION"
    assert any(f["field"][0] == field for f in error["fields"]), error


def test_malformed_json_is_a_validation_error(client: TestClient):
    response = client.post(
        "/applications", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["error"]["code"] == "VALIDATION"


def test_a_second_application_of_the_same_company_is_a_duplicate(client: TestClient):
    first = client.post("/applications", json=VALID).json()
    again = client.post("/applications", json={**VALID, "companyName": "prairie grain CO-OP"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "DUPLICATE"
    assert first["id"] in again.json()["error"]["message"]


def test_a_stale_expected_version_is_a_conflict(client: TestClient):
    client.post("/applications", json=VALID)
    response = client.post("/applications", json={**VALID, "expectedVersion": 0})
    assert response.status_code == 409 and response.json()["error"]["code"] == "CONFLICT"


def test_an_idempotency_key_replays_the_first_answer_and_refuses_another_body(client: TestClient):
    headers = {"idempotency-key": "submit-prairie-1"}
    first = client.post("/applications", json=VALID, headers=headers)
    again = client.post("/applications", json=VALID, headers=headers)
    other = client.post("/applications", json={**VALID, "companyName": "Other"}, headers=headers)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other.status_code == 422
    assert other.json()["error"]["fields"][0]["field"] == ["Idempotency-Key"]


def test_openapi_is_published(client: TestClient):
    spec = client.get("/openapi.json").json()
    assert "/applications" in spec["paths"]
    assert client.get("/readyz").json() == {"status": "ready"}
