"""The floor plan as the console drives it, through the running stack: an application
whose allowed actions include ASSIGN_BOOTH is given a free booth with assignBooth, and
a second session subscribed to floorPlanChanged sees the booth taken, without asking."""

import asyncio
import uuid
from typing import Any

from gateway.auth import Role
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests.e2e.stack import Stack, token
from tests.e2e.test_gateway import EDITION, mutate, submit

CHANGED = gql(
    """subscription($e: String!) { floorPlanChanged(edition: $e) {
         hall boothCode waitlistChanged booth { state holder { id } } } }"""
)
CHANGED.variable_values = {"e": EDITION}
BOOTH = "userErrors { code message } booth { code }"


async def _define(stack: Stack, hall: str, code: str) -> None:
    body = {
        "edition": EDITION,
        "hall": hall,
        "boothCode": code,
        "sizeSqm": 18,
        "supplyChainArea": "SMART_VEHICLES",
    }
    assert (await mutate(stack, "defineBooth", body, fields=BOOTH))["userErrors"] == []


async def _paid_deposit(stack: Stack) -> str:
    app = (await submit(stack, f"Booth Seeker {uuid.uuid4().hex[:6]}"))["exhibitor"]["id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("startReview", {}),
        ("approveApplication", {}),
        ("issueContract", {"amount": "1000.00", "currency": "CNY", "dueDate": "2026-03-31"}),
        ("signContract", {}),
        ("recordPayment", {"amount": "500.00", "currency": "CNY", "reference": "wire"}),
    ]
    for name, extra in steps:
        payload = await mutate(stack, name, {"applicationId": app, **extra})
        assert payload["userErrors"] == [], (name, payload)
    return app  # type: ignore[no-any-return]


async def _next_in(
    received: "asyncio.Queue[dict[str, Any]]", hall: str, state: str
) -> dict[str, Any]:
    """The next change pushed that shows a booth of `hall` in `state` (others' tests
    change other halls), 15 s at most."""
    async with asyncio.timeout(15):
        while True:
            change = await received.get()
            if change["hall"] == hall and (change["booth"] or {}).get("state") == state:
                return change


async def test_a_booth_assigned_shows_taken_in_another_session_without_asking(stack: Stack):
    hall = f"T{uuid.uuid4().hex[:6]}"
    app = await _paid_deposit(stack)
    allowed = await stack.data("query($id: ID!) { exhibitor(id: $id) { allowedActions } }", id=app)
    assert "ASSIGN_BOOTH" in allowed["exhibitor"]["allowedActions"]
    transport = WebsocketsTransport(
        url=stack.graphql.replace("http://", "ws://"),
        init_payload={"Authorization": f"Bearer {token(Role.VIEWER)}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with Client(transport=transport) as session:

        async def listen() -> None:
            async for result in session.subscribe(CHANGED):
                await received.put(result["floorPlanChanged"])

        listening = asyncio.create_task(listen())
        try:
            defined = await _defined_while_listening(stack, hall, received)
            assert defined["booth"] == {"state": "FREE", "holder": None}
            assigned = await mutate(
                stack,
                "assignBooth",
                {"applicationId": app, "hall": hall, "boothCode": defined["boothCode"]},
            )
            assert assigned["userErrors"] == [], assigned
            taken = await _next_in(received, hall, "TAKEN")
        finally:
            listening.cancel()
    assert taken["booth"] == {"state": "TAKEN", "holder": {"id": app}}
    plan = await stack.data(
        """query($e: String!) { floorPlan(edition: $e) {
             halls { code booths(first: 10) { edges { node { code state } } } } } }""",
        e=EDITION,
    )
    [mine] = [h for h in plan["floorPlan"]["halls"] if h["code"] == hall]
    assert [e["node"]["state"] for e in mine["booths"]["edges"]] == ["TAKEN"]


async def _defined_while_listening(
    stack: Stack, hall: str, received: "asyncio.Queue[dict[str, Any]]"
) -> dict[str, Any]:
    """A booth of `hall` defined once the subscription is live: the subscription may
    start after the first definition, so the first is retired and defined again until
    one is pushed (30 s at most)."""
    async with asyncio.timeout(30):
        while True:
            await _define(stack, hall, f"{hall}-1")
            try:
                return await asyncio.wait_for(_next_in(received, hall, "FREE"), 2)
            except TimeoutError:
                retired = await mutate(
                    stack,
                    "retireBooth",
                    {"edition": EDITION, "hall": hall, "boothCode": f"{hall}-1"},
                    fields="userErrors { code }",
                )
                assert retired["userErrors"] == []
