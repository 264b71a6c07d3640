"""Webhook endpoints managed through GraphQL, end to end: an ADMIN registers one (its
secret shown once), lists it, sees its deliveries as a real receiver gets them (signed),
redelivers one, rotates the secret, disables, enables and deletes it — against the
running gateway, notifications (worker, deliverer, admin API, relay) and exhibitors
processes. Every other role is refused every one of these, and sees no endpoint."""

import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from gateway.auth import Role
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import Stack, running, scratch, token
from tests.integration.webhook_support import Receiver
from tests.smtp_catcher import Mailbox
from tests.smtp_catcher import start as start_catcher
from tests.support import eventually, free_port

PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("notifications", "worker"),
    ("notifications", "webhooks"),
    ("notifications", "api"),
    ("notifications", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]
ENDPOINT = "webhookEndpoint { id url eventTypes status version secretRotatedAt }"
PAYLOAD = f"{ENDPOINT} secret version userErrors {{ field message code }}"
MUTATIONS = {
    "registerWebhookEndpoint": "RegisterWebhookEndpointInput",
    "disableWebhookEndpoint": "WebhookEndpointInput",
    "enableWebhookEndpoint": "WebhookEndpointInput",
    "rotateWebhookSecret": "WebhookEndpointInput",
    "deleteWebhookEndpoint": "WebhookEndpointInput",
}
DELIVERIES = """query($id: ID!) { node(id: $id) { ... on WebhookEndpoint {
  deliveries(first: 10) { totalCount edges { node {
    id eventType status attempts lastStatus lastError } } } } } }"""


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Mailbox]]:
    """The SMTP catcher, for the module's stack."""
    port = free_port()
    controller, box = start_catcher(tmp_path_factory.mktemp("mail"), port)
    yield port, box
    controller.stop()


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str],
    kafka: KafkaSettings,
    mailbox: tuple[int, Mailbox],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Stack]:
    settings = {
        "PAVILION_SMTP_PORT": str(mailbox[0]),
        "PAVILION_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    async with (
        scratch(templates, kafka) as env,
        running(PROCESSES, {**env, **settings}, tmp_path_factory.mktemp("logs")) as stack,
    ):
        yield stack


async def change(stack: Stack, name: str, input: dict[str, Any], as_: str | None = None) -> Any:
    document = f"mutation($i: {MUTATIONS[name]}!) {{ {name}(input: $i) {{ {PAYLOAD} }} }}"
    return (await stack.data(document, as_=as_, i=input))[name]


async def submit(stack: Stack, company: str, email: str) -> None:
    document = """mutation($i: SubmitExhibitorApplicationInput!) {
      submitExhibitorApplication(input: $i) { userErrors { code message } } }"""
    answer = await stack.data(
        document,
        i={"edition": "CISCE-2026", "companyName": company, "country": "CA",
           "supplyChainAreas": ["CLEAN_ENERGY"], "contacts": [{"name": "Ann", "email": email}]},
    )  # fmt: skip
    assert answer["submitExhibitorApplication"]["userErrors"] == [], answer


async def deliveries(stack: Stack, endpoint: str) -> dict[str, Any]:
    return (await stack.data(DELIVERIES, id=endpoint))["node"]["deliveries"]  # type: ignore[no-any-return]


async def test_an_admin_manages_an_endpoint_and_its_deliveries_through_graphql(
    stack: Stack, receiver: tuple[Receiver, int], mailbox: tuple[int, Mailbox]
) -> None:
    partner, port = receiver
    url = f"http://127.0.0.1:{port}/partner"
    made = await change(
        stack, "registerWebhookEndpoint", {"url": url, "eventTypes": ["pavilion.exhibitors.*"]}
    )
    assert made["userErrors"] == [] and made["secret"].startswith("whsec_"), made
    endpoint = made["webhookEndpoint"]
    assert (endpoint["url"], endpoint["status"], endpoint["version"]) == (url, "ACTIVE", 1)
    partner.secrets["partner"] = made["secret"]
    listed = await stack.data("{ webhookEndpoints { totalCount edges { node { id url } } } }")
    assert [e["node"]["id"] for e in listed["webhookEndpoints"]["edges"]] == [endpoint["id"]]
    assert "secret" not in str(listed)

    await submit(stack, "Hooked Energy", "ann@hooked.example")
    await eventually(lambda: _calls(partner, 1), within=60, what="the delivery posted")
    [delivered] = (await deliveries(stack, endpoint["id"]))["edges"]
    assert delivered["node"]["status"] == "SUCCEEDED", delivered
    assert delivered["node"]["eventType"] == "pavilion.exhibitors.ApplicationSubmitted.v2"

    again = await stack.data(
        """mutation($i: RedeliverWebhookDeliveryInput!) { redeliverWebhookDelivery(input: $i) {
             webhookDelivery { id status } userErrors { code } } }""",
        i={"deliveryId": delivered["node"]["id"]},
    )
    assert again["redeliverWebhookDelivery"]["webhookDelivery"]["status"] == "PENDING", again
    await eventually(lambda: _calls(partner, 2), within=30, what="the redelivery posted")
    webhook_ids = {call["webhook-id"] for call in partner.calls["partner"]}
    assert len(webhook_ids) == 1  # the same delivery, the same webhook-id

    rotated = await change(stack, "rotateWebhookSecret", {"endpointId": endpoint["id"]})
    assert rotated["secret"] not in (None, made["secret"]), rotated
    assert rotated["webhookEndpoint"]["secretRotatedAt"] is not None
    partner.secrets["partner"] = rotated["secret"]  # the old one would be refused now
    await submit(stack, "Rotated Energy", "bo@rotated.example")
    await eventually(lambda: _calls(partner, 3), within=60, what="signed with the new secret")

    disabled = await change(stack, "disableWebhookEndpoint", {"endpointId": endpoint["id"]})
    assert disabled["webhookEndpoint"]["status"] == "DISABLED", disabled
    await submit(stack, "Quiet Energy", "cy@quiet.example")
    await eventually(  # the worker has handled the event: its email is out
        lambda: _mailed(mailbox[1], "cy@quiet.example"), within=60, what="the worker's email"
    )
    assert (await deliveries(stack, endpoint["id"]))["totalCount"] == 2
    assert len(partner.calls["partner"]) == 3

    enabled = await change(stack, "enableWebhookEndpoint", {"endpointId": endpoint["id"]})
    assert enabled["webhookEndpoint"]["status"] == "ACTIVE", enabled
    deleted = await change(stack, "deleteWebhookEndpoint", {"endpointId": endpoint["id"]})
    assert deleted["webhookEndpoint"]["status"] == "DELETED", deleted
    assert deleted["version"] > enabled["version"] > disabled["version"] > rotated["version"]
    gone = await stack.data("{ webhookEndpoints { totalCount } }")
    assert gone["webhookEndpoints"]["totalCount"] == 0
    kept = await stack.data("{ webhookEndpoints(includeDeleted: true) { totalCount } }")
    assert kept["webhookEndpoints"]["totalCount"] == 1
    again_deleted = await change(stack, "deleteWebhookEndpoint", {"endpointId": endpoint["id"]})
    assert again_deleted["userErrors"][0]["code"] == "NOT_FOUND", again_deleted

    history = await stack.data(
        "query($id: ID!) { timeline(subjectId: $id) { edges { node { type actor } } } }",
        id=endpoint["id"],
    )
    entries = [e["node"] for e in history["timeline"]["edges"]]
    assert [e["type"] for e in entries] == [
        "WebhookEndpointRegistered", "WebhookSecretRotated", "WebhookEndpointDisabled",
        "WebhookEndpointEnabled", "WebhookEndpointDeleted",
    ]  # fmt: skip
    assert {e["actor"] for e in entries} == {"staff:ada"}  # the ADMIN's, from the token


async def _calls(receiver: Receiver, count: int) -> bool:
    return len(receiver.calls["partner"]) >= count


async def _mailed(mailbox: Mailbox, address: str) -> bool:
    return any(address in str(message["To"]) for message in mailbox.messages())


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.EXHIBITOR, Role.VIEWER])
async def test_every_other_role_is_refused_every_webhook_operation(stack: Stack, role: Role):
    admin_made = await change(
        stack,
        "registerWebhookEndpoint",
        {"url": "https://hooks.example.com/x", "eventTypes": ["pavilion.*"]},
    )
    endpoint = admin_made["webhookEndpoint"]["id"]
    who = token(role, str(uuid.uuid4()), subject=f"{role.value.lower()}:nosy")
    for name in MUTATIONS:
        input = {"endpointId": endpoint}
        if name == "registerWebhookEndpoint":
            input = {"url": "https://hooks.example.com/y", "eventTypes": ["pavilion.*"]}
        answer = await change(stack, name, input, as_=who)
        assert [e["code"] for e in answer["userErrors"]] == ["FORBIDDEN"], (name, answer)
        assert answer["secret"] is None and answer["webhookEndpoint"] is None
    redeliver = await stack.data(
        """mutation($i: RedeliverWebhookDeliveryInput!) { redeliverWebhookDelivery(input: $i) {
             userErrors { code } } }""",
        as_=who,
        i={
            "deliveryId": "V2ViaG9va0RlbGl2ZXJ5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=="
        },
    )
    assert redeliver["redeliverWebhookDelivery"]["userErrors"] == [{"code": "FORBIDDEN"}]
    for query in (
        "{ webhookEndpoints { totalCount } }",
        f'{{ node(id: "{endpoint}") {{ id }} }}',
        f'{{ timeline(subjectId: "{endpoint}") {{ totalCount }} }}',
    ):
        answer = await stack.query(query, as_=who)
        assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN", (query, answer)
        assert endpoint not in str(answer.get("data"))
    still = await stack.data("{ webhookEndpoints { edges { node { id status } } } }")
    assert {"id": endpoint, "status": "ACTIVE"} in [
        e["node"] for e in still["webhookEndpoints"]["edges"]
    ]


async def test_a_retried_webhook_mutation_with_its_idempotency_key_changes_nothing(stack: Stack):
    key = f"register-{uuid.uuid4()}"
    input = {"url": "https://hooks.example.com/once", "eventTypes": ["*"], "idempotencyKey": key}
    first = await change(stack, "registerWebhookEndpoint", input)
    again = await change(stack, "registerWebhookEndpoint", input)
    assert again["webhookEndpoint"]["id"] == first["webhookEndpoint"]["id"]
    assert (again["secret"], again["version"]) == (first["secret"], 1)
    other = await change(stack, "registerWebhookEndpoint", {**input, "url": "https://x.example/"})
    assert [e["code"] for e in other["userErrors"]] == ["VALIDATION"], other  # key reused

    endpoint = first["webhookEndpoint"]["id"]
    rotation = {"endpointId": endpoint, "idempotencyKey": f"rotate-{uuid.uuid4()}"}
    rotated = await change(stack, "rotateWebhookSecret", rotation)
    retried = await change(stack, "rotateWebhookSecret", rotation)
    assert (retried["version"], retried["secret"]) == (rotated["version"], rotated["secret"])
    removal = {"endpointId": endpoint, "idempotencyKey": f"delete-{uuid.uuid4()}"}
    deleted = await change(stack, "deleteWebhookEndpoint", removal)
    assert (await change(stack, "deleteWebhookEndpoint", removal))["version"] == deleted["version"]
