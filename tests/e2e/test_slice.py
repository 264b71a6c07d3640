"""The first slice end to end, through the real processes: submit an application over
the exhibitors HTTP API, and find it through the gateway's GraphQL API once the relay
and the projector have carried it across Kafka. One stack for the module: each test
looks for its own companies (by name) and its own events on the topic."""

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import Stack, running, scratch
from tests.support import assert_valid_event, eventually, read_topic, signed

PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]


@pytest.fixture(scope="module")
async def env(templates: dict[str, str], kafka: KafkaSettings) -> AsyncIterator[dict[str, str]]:
    async with scratch(templates, kafka) as env:
        yield env


@pytest.fixture(scope="module")
def topic(env: dict[str, str]) -> str:
    """The exhibitors topic of the module's stack."""
    return env["PAVILION_EXHIBITORS_TOPIC"]


@pytest.fixture(scope="module")
async def stack(
    env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    async with running(PROCESSES, env, tmp_path_factory.mktemp("logs")) as stack:
        yield stack


EXHIBITORS = """
query($edition: String!, $first: Int, $after: String, $filter: ExhibitorFilter) {
  exhibitors(edition: $edition, first: $first, after: $after, filter: $filter) {
    totalCount
    edges { cursor node { id companyName country status supplyChainAreas productCategories
                          contacts { name email } booth { code hall sizeSqm } version } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def test_a_submitted_application_shows_up_in_graphql(
    stack: Stack, kafka: KafkaSettings, topic: str
):
    async with httpx.AsyncClient(auth=signed("exhibitors", "staff:ada")) as http:
        submitted = await http.post(
            f"{stack.urls['exhibitors']}/applications",
            json={
                "edition": "CISCE-2026",
                "companyName": "Potomac Freight LLC",
                "country": "US",
                "supplyChainAreas": ["SUPPLY_CHAIN_SERVICES"],
                "productCategories": ["cold chain"],
                "contacts": [{"name": "Ada Brooks", "email": "ada@potomac.example"}],
            },
            headers={"x-correlation-id": "e2e-corr-1"},
        )
    assert submitted.status_code == 201, submitted.text

    async def listed() -> list[dict[str, Any]]:
        result = await stack.query(EXHIBITORS, edition="CISCE-2026", filter={"search": "Potomac"})
        return result["data"]["exhibitors"]["edges"]  # type: ignore[no-any-return]

    [edge] = await eventually(listed, what="the exhibitor in GraphQL")
    assert edge["node"] == {
        "id": edge["node"]["id"],
        "companyName": "Potomac Freight LLC",
        "country": "US",
        "status": "SUBMITTED",
        "supplyChainAreas": ["SUPPLY_CHAIN_SERVICES"],
        "productCategories": ["cold chain"],
        "contacts": [{"name": "Ada Brooks", "email": "ada@potomac.example"}],
        "booth": None,
        "version": 1,
    }
    node = await stack.query(
        "query($id: ID!) { node(id: $id) { id ... on Exhibitor { companyName } } }",
        id=edge["node"]["id"],
    )
    assert node["data"]["node"]["companyName"] == "Potomac Freight LLC"

    event_id = submitted.json()["eventIds"][0].encode()
    messages = await read_topic(kafka, topic, lambda m: any(_id(x) == event_id for x in m))
    [message] = [m for m in messages if _id(m) == event_id]
    assert_valid_event(message)
    headers = dict(message.headers)
    assert headers["ce_correlationid"] == b"e2e-corr-1" and headers["ce_actor"] == b"staff:ada"


def _id(message: ConsumerRecord) -> bytes:
    return dict(message.headers)["ce_id"]  # type: ignore[no-any-return]


async def test_pages_follow_the_cursor_and_bad_paging_input_is_a_typed_error(stack: Stack):
    own = {"search": f"paged-{uuid.uuid4().hex[:8]}"}  # this test's companies
    async with httpx.AsyncClient(auth=signed("exhibitors")) as http:
        for name in ["Cedar Tech", "Alder Energy", "Birch Motors"]:
            response = await http.post(
                f"{stack.urls['exhibitors']}/applications",
                json={
                    "edition": "CISCE-2026",
                    "companyName": f"{name} {own['search']}",
                    "country": "DE",
                    "supplyChainAreas": ["CLEAN_ENERGY"],
                },
            )
            assert response.status_code == 201

    async def all_three() -> bool:
        result = await stack.query(EXHIBITORS, edition="CISCE-2026", filter=own)
        return bool(result["data"]["exhibitors"]["totalCount"] == 3)

    await eventually(all_three, what="three exhibitors projected")
    names, after = [], None
    while True:
        page = await stack.query(EXHIBITORS, edition="CISCE-2026", first=2, after=after, filter=own)
        connection = page["data"]["exhibitors"]
        names += [e["node"]["companyName"].split()[0] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert names == ["Alder", "Birch", "Cedar"]

    for variables in ({"first": 1000}, {"after": "bm90IGEgY3Vyc29y"}, {"after": "%%%"}):
        result = await stack.query(EXHIBITORS, edition="CISCE-2026", **variables)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "VALIDATION"


async def test_the_import_command_imports_a_spreadsheet_and_reports_the_rejects(
    stack: Stack, tmp_path
):
    from tests.integration.test_import import generate

    file, report = tmp_path / "fair.csv", tmp_path / "rejected.csv"
    expected = generate(file, good=30)
    before = await _total(stack)  # the other tests' exhibitors, already projected
    command = [
        sys.executable,
        "-m",
        "exhibitors.importer",
        str(file),
        "--api",
        stack.urls["exhibitors"],
        "--report",
        str(report),
    ]

    for imported in (30, 0):
        process = await asyncio.create_subprocess_exec(*command, stderr=asyncio.subprocess.PIPE)
        _, err = await process.communicate()
        assert process.returncode == 1, err.decode()  # some rows were rejected
        assert f"{imported} imported" in err.decode(), err.decode()
        assert report.read_text().count("\n") == len(expected) + 1

    async def listed() -> bool:
        return await _total(stack) == before + 30

    await eventually(listed, what="30 imported exhibitors in GraphQL")


async def _total(stack: Stack) -> int:
    result = await stack.query(EXHIBITORS, edition="CISCE-2026", first=1)
    return int(result["data"]["exhibitors"]["totalCount"])


async def test_the_lifecycle_reaches_the_topic_as_valid_cloudevents_and_graphql_follows(
    stack: Stack, kafka: KafkaSettings, topic: str
):
    async with httpx.AsyncClient(
        base_url=stack.urls["exhibitors"], auth=signed("exhibitors")
    ) as http:

        async def post(path: str, body: dict[str, Any], status: int = 200) -> dict[str, Any]:
            response = await http.post(path, json=body)
            assert response.status_code == status, response.text
            return response.json()  # type: ignore[no-any-return]

        await post(
            "/editions/CISCE-2026/halls/W1/booths",
            {"boothCode": "W1-08", "sizeSqm": 36, "supplyChainArea": "SMART_VEHICLES"},
            201,
        )
        app = (
            await post(
                "/applications",
                {
                    "edition": "CISCE-2026",
                    "companyName": "Windsor EV Parts",
                    "country": "CA",
                    "supplyChainAreas": ["SMART_VEHICLES"],
                    "previousEditions": 1,
                },
                201,
            )
        )["id"]
        waiting = (
            await post(
                "/applications",
                {
                    "edition": "CISCE-2026",
                    "companyName": "Ottawa Batteries",
                    "country": "CA",
                    "supplyChainAreas": ["SMART_VEHICLES"],
                },
                201,
            )
        )["id"]
        for path, body in [
            ("review", {}),
            ("approve", {}),
            ("contract", {"amount": 8_000_000, "currency": "CNY", "dueDate": "2026-03-31"}),
            ("contract/sign", {}),
            ("payments", {"amount": 4_000_000, "currency": "CNY", "reference": "SWIFT-1"}),
            ("booth", {"hall": "W1", "boothCode": "W1-08"}),
            ("contacts", {"name": "Luc Roy", "email": "luc@windsor.example"}),
        ]:
            await post(f"/applications/{app}/{path}", body)
        await post(f"/applications/{waiting}/review", {})
        await post(f"/applications/{waiting}/waitlist", {})
        await post(f"/applications/{app}/withdraw", {"reason": "plant strike"})

    async def withdrawn() -> dict[str, Any] | None:
        result = await stack.query(EXHIBITORS, edition="CISCE-2026", filter={"search": "Windsor"})
        nodes = {e["node"]["companyName"]: e["node"] for e in result["data"]["exhibitors"]["edges"]}
        node = nodes.get("Windsor EV Parts")
        return node if node and node["status"] == "WITHDRAWN" else None

    node = await eventually(withdrawn, what="the withdrawal in GraphQL")
    assert node["booth"] is None and node["version"] == 10
    assert [c["email"] for c in node["contacts"]] == ["luc@windsor.example"]

    lifecycle = {
        "BoothDefined",
        "BoothAllocated",
        "BoothReleased",
        "BoothOffered",
        "WaitlistEntryAdded",
        "WaitlistEntryRemoved",
        "PaymentRecorded",
    }
    messages = await read_topic(kafka, topic, lambda m: lifecycle <= _types(m))
    for message in messages:
        assert_valid_event(message)


def _types(messages: list[ConsumerRecord]) -> set[str]:
    return {dict(m.headers)["ce_type"].decode().split(".")[2] for m in messages}
