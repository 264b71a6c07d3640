"""Subscriptions are bounded: a connection may hold only so many, a caller (token
subject) only so many over all its sockets, the process only so many in all (typed
TOO_MANY_SUBSCRIPTIONS; the ones held keep working); a subscription passes the same
admission as a query (cost, text); it ends with UNAUTHENTICATED when the token it was
opened with expires, and a socket runs no operation after that."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from gateway.auth import LEEWAY, Role, mint
from gql import Client, gql
from gql.client import AsyncClientSession
from gql.transport.exceptions import TransportConnectionFailed, TransportQueryError
from gql.transport.websockets import WebsocketsTransport
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import AUTH, Stack, running, scratch, token
from tests.support import eventually

CHANGED = gql('subscription { exhibitorChanged(edition: "CISCE-2026") { id } }')


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    limits = {
        "PAVILION_GATEWAY_SUBSCRIPTIONS_PER_CONNECTION": "2",
        "PAVILION_GATEWAY_SUBSCRIPTIONS_PER_SUBJECT": "3",
        "PAVILION_GATEWAY_SUBSCRIPTIONS_TOTAL": "4",
    }
    async with (
        scratch(templates, kafka) as env,
        running([("gateway", "api")], {**env, **limits}, tmp_path_factory.mktemp("logs")) as stack,
    ):
        yield stack


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
    """The message of the refusal a subscription that cannot be held is answered with."""
    with pytest.raises(TransportQueryError) as refused:
        await asyncio.wait_for(_first(session), 20)
    [error] = refused.value.errors  # type: ignore[misc]
    assert error["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS", error
    return str(error["message"])


async def _hold(session: AsyncClientSession, held: list["asyncio.Task[Any]"]) -> None:
    """One more subscription on `session`, held (nothing to push: it stays pending)."""
    held.append(asyncio.create_task(_first(session)))
    await asyncio.wait(held, timeout=2)
    assert not any(task.done() for task in held), held


async def test_a_connection_a_caller_and_the_process_hold_only_so_many_subscriptions(
    stack: Stack,
):
    """Limits here: 2 per connection, 3 per caller (token subject), 4 in all."""
    ada, bo = token(Role.VIEWER, subject="viewer:ada"), token(Role.VIEWER, subject="viewer:bo")
    held: list[asyncio.Task[Any]] = []
    async with (
        Client(transport=transport(stack, ada)) as one,
        Client(transport=transport(stack, ada)) as two,
        Client(transport=transport(stack, bo)) as three,
    ):
        await _hold(one, held)
        await _hold(one, held)
        assert "a connection may hold 2" in await _refused(one)
        await _hold(two, held)  # ada's third, on another socket
        assert "a caller may hold 3" in await _refused(two)
        await _hold(three, held)  # bo's first: the fourth in all
        assert "the server has all" in await _refused(three)
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
    async with Client(transport=transport(stack, ada)) as four:
        await _hold(four, [])  # the slots were given back


def nearly_expired() -> str:
    """A token taken for 3 s more: its exp has passed, within the 30 s of leeway."""
    return mint(AUTH, "viewer:brief", Role.VIEWER, ttl_seconds=-(LEEWAY - 3))


async def test_a_subscription_ends_when_its_token_expires(stack: Stack):
    async with Client(transport=transport(stack, nearly_expired())) as session:
        started = time.monotonic()
        with pytest.raises(TransportQueryError) as ended:
            await asyncio.wait_for(_first(session), 30)
    assert ended.value.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"  # type: ignore[index]
    assert "expired" in ended.value.errors[0]["message"]  # type: ignore[index]
    assert time.monotonic() - started < 10


async def test_a_socket_runs_no_operation_once_its_token_has_expired(stack: Stack):
    """A WebSocket authenticates once; each query or mutation on it is checked again."""
    query = gql('{ exhibitors(edition: "CISCE-2026") { totalCount } }')
    async with Client(transport=transport(stack, nearly_expired())) as session:
        assert (await session.execute(query))["exhibitors"] == {"totalCount": 0}  # still valid

        async def refused() -> bool:
            try:
                await session.execute(query)
            except TransportQueryError as error:
                return bool(
                    error.errors and error.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
                )
            return False

        await eventually(refused, within=15, interval=0.5, what="the expired token refused")


async def test_a_subscription_passes_the_same_admission_as_a_query(stack: Stack):
    entry = "id type summary version data occurredAt actor"
    pages = " ".join(
        f"t{i}: timeline(first: 100) {{ edges {{ node {{ {entry} }} }} }}" for i in range(25)
    )
    costly = 'subscription { exhibitorChanged(edition: "CISCE-2026") { id ' + pages + " } }"
    async with Client(transport=transport(stack, token(Role.VIEWER))) as session:
        for document, code in [
            (costly, "QUERY_TOO_COSTLY"),
            ('subscription { exhibitorChanged(edition: "\\u0001") { id } }', "VALIDATION"),
        ]:
            with pytest.raises(TransportQueryError) as refused:
                await asyncio.wait_for(_first_of(session, document), 20)
            assert refused.value.errors[0]["extensions"]["code"] == code  # type: ignore[index]


async def _first_of(session: AsyncClientSession, document: str) -> Any:
    async for item in session.subscribe(gql(document)):
        return item
    return None


def _chain(error: BaseException | None) -> str:
    links = []
    while error is not None:
        links.append(repr(error))
        error = error.__cause__ or error.__context__
    return " | ".join(links)


async def test_a_malformed_connection_init_and_the_legacy_protocol_are_refused(stack: Stack):
    url = stack.graphql.replace("http://", "ws://")
    for payload in ({"Authorization": {"a": 1}}, {"Authorization": 5}):
        odd = WebsocketsTransport(
            url=url, init_payload=payload, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL]
        )
        with pytest.raises(TransportConnectionFailed) as refused:
            async with Client(transport=odd) as session:
                await session.execute(gql("{ editions { code } }"))
        assert "4403" in _chain(refused.value), _chain(refused.value)
    legacy = WebsocketsTransport(
        url=url,
        init_payload={"Authorization": f"Bearer {token(Role.VIEWER)}"},
        subprotocols=[WebsocketsTransport.APOLLO_SUBPROTOCOL],  # "graphql-ws"
    )
    with pytest.raises(TransportConnectionFailed) as refused:
        async with Client(transport=legacy) as session:
            await session.execute(gql('{ exhibitors(edition: "CISCE-2026") { totalCount } }'))
    assert "4406" in _chain(refused.value)  # Subprotocol not acceptable
    async with Client(transport=transport(stack, token(Role.VIEWER))) as session:
        answer = await session.execute(gql('{ exhibitors(edition: "CISCE-2026") { totalCount } }'))
    assert answer == {"exhibitors": {"totalCount": 0}}  # and the server keeps serving
