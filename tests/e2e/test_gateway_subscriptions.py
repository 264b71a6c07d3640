"""Subscriptions are bounded: a connection may hold only so many, the process only so
many in all (typed TOO_MANY_SUBSCRIPTIONS, and the ones held keep working), and a
subscription ends with UNAUTHENTICATED when the token it was opened with expires."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from gateway.auth import Role, mint
from gql import Client, gql
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import ensure_topics

from tests.conftest import RUN, _fresh_database
from tests.e2e.stack import AUTH, Stack, running, token

CHANGED = gql('subscription { exhibitorChanged(edition: "CISCE-2026") { id } }')


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    topic = f"pavtest.{RUN}.{uuid.uuid4().hex[:8]}.exhibitors"
    await ensure_topics(kafka, [topic])
    database = _fresh_database(templates["readmodel"])
    env = {
        "PAVILION_GATEWAY_DATABASE_URL": await anext(database),
        "PAVILION_GATEWAY_TOPICS": topic,
        "PAVILION_GATEWAY_SUBSCRIPTIONS_PER_CONNECTION": "2",
        "PAVILION_GATEWAY_SUBSCRIPTIONS_TOTAL": "3",
    }
    async with running([("gateway", "api")], env, tmp_path_factory.mktemp("logs")) as stack:
        yield stack
    await anext(database, None)


def transport(stack: Stack, bearer: str) -> WebsocketsTransport:
    return WebsocketsTransport(
        url=stack.graphql.replace("http://", "ws://"),
        init_payload={"Authorization": f"Bearer {bearer}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )


async def _first(session: AsyncClientSession) -> Any:
    async for item in session.subscribe(CHANGED):
        return item
    return None


async def _refused(session: AsyncClientSession) -> str:
    """The code of the error a subscription that cannot be held is answered with."""
    with pytest.raises(TransportQueryError) as refused:
        await asyncio.wait_for(_first(session), 20)
    return str(refused.value.errors[0]["extensions"]["code"])  # type: ignore[index]


async def test_a_connection_and_the_process_hold_only_so_many_subscriptions(stack: Stack):
    async with (
        Client(transport=transport(stack, token(Role.VIEWER))) as one,
        Client(transport=transport(stack, token(Role.VIEWER))) as two,
    ):
        held = [asyncio.create_task(_first(one)) for _ in range(2)]
        await asyncio.wait(held, timeout=2)  # they hold (nothing to push): still pending
        assert not any(task.done() for task in held)
        assert await _refused(one) == "TOO_MANY_SUBSCRIPTIONS"  # a third on this connection
        held.append(asyncio.create_task(_first(two)))
        await asyncio.wait(held, timeout=2)
        assert await _refused(two) == "TOO_MANY_SUBSCRIPTIONS"  # the process holds 3 in all
        assert not any(task.done() for task in held)
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
    async with Client(transport=transport(stack, token(Role.VIEWER))) as three:
        freed = asyncio.create_task(_first(three))  # the slots were given back
        await asyncio.wait([freed], timeout=2)
        assert not freed.done(), freed
        freed.cancel()


async def test_a_subscription_ends_when_its_token_expires(stack: Stack):
    short = mint(AUTH, "viewer:brief", Role.VIEWER, ttl_seconds=3)
    async with Client(transport=transport(stack, short)) as session:
        started = time.monotonic()
        with pytest.raises(TransportQueryError) as ended:
            await asyncio.wait_for(_first(session), 30)
    assert ended.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]
    assert "expired" in ended.value.errors[0]["message"]  # type: ignore[index]
    assert time.monotonic() - started < 10
