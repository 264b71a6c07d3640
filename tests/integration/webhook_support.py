"""What the webhook tests share: a partner's receiver served by uvicorn, endpoints
written by hand for answers no framework gives, a resolver stub, and a deliverer on
a short schedule."""

import asyncio
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import asyncpg
import httpx
import uvicorn
from notifications.deliveries import Deliverer, enqueue
from notifications.endpoints import register_endpoint
from notifications.webhooks import (
    AddressPolicy,
    Resolver,
    RetrySchedule,
    parse_networks,
    system_resolver,
)
from pavilion_core.envelope import CloudEvent, Metadata, RecordedEvent, from_kafka, to_kafka
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock
from standardwebhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.support import STORY_TIME, eventually, free_port

LOCAL = AddressPolicy(parse_networks("127.0.0.0/8"))
ANYWHERE = AddressPolicy(parse_networks("0.0.0.0/0,::/0"))
ADMIN = Metadata(correlation_id="test", actor="staff:admin")
Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Receiver:
    """A partner's endpoints: /flaky fails twice then succeeds, /down always fails,
    any other name answers 204 (after `delay` seconds); a bad signature gets 401."""

    def __init__(self) -> None:
        self.calls: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.bodies: dict[str, list[str]] = defaultdict(list)
        self.secrets: dict[str, str] = {}
        self.delay = 0.0
        self.app = Starlette(routes=[Route("/{name}", self.receive, methods=["POST"])])

    async def receive(self, request: Request) -> Response:
        name = request.path_params["name"]
        body = (await request.body()).decode()
        try:
            Webhook(self.secrets[name].removeprefix("whsec_")).verify(body, dict(request.headers))
        except WebhookVerificationError:
            return Response(status_code=401)
        self.calls[name].append(dict(request.headers))
        self.bodies[name].append(body)
        await asyncio.sleep(self.delay)
        failing = name == "down" or (name == "flaky" and len(self.calls[name]) <= 2)
        return Response(status_code=503 if failing else 204)


@asynccontextmanager
async def receiving(partner: Receiver) -> AsyncIterator[int]:
    """The receiver served by uvicorn on a free local port, for the duration."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(partner.app, port=port, log_config=None))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: _started(server), what="the receiver")
    try:
        yield port
    finally:
        server.should_exit = True
        await task


async def _started(server: uvicorn.Server) -> bool:
    return bool(server.started)


@asynccontextmanager
async def raw_endpoint(answer: Answer) -> AsyncIterator[int]:
    """An HTTP endpoint written by hand, for answers no framework would give."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        try:
            await answer(reader, writer)
        except ConnectionError:
            pass  # the deliverer hung up: what these endpoints are for
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()


class StubDNS:
    """The deliverer's resolver port, answering from a table the test changes."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers = answers

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        return self.answers[host]


def approved() -> CloudEvent:
    app = str(uuid.uuid4())
    record = to_kafka(
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=app,
            version=3,
            position=1,
            type="ApplicationApproved",
            schema_version=1,
            data={"applicationId": app},
            metadata={"correlation_id": "c"},
            recorded_at=datetime.now(UTC),
        ),
        "exhibitors",
    )
    return from_kafka(record.value, record.headers)


async def endpoint_with_one_delivery(
    pool: asyncpg.Pool,
    url: str,
    *,
    policy: AddressPolicy = LOCAL,
    resolver: Resolver = system_resolver,
) -> str:
    """Register `url` (under `policy`, as then configured) and enqueue one event for it;
    returns the endpoint's secret."""
    registered = await register_endpoint(
        pool,
        url,
        ["pavilion.exhibitors.*"],
        None,
        policy=policy,
        meta=ADMIN,
        now=STORY_TIME,
        resolver=resolver,
    )
    async with pool.acquire() as conn:
        assert await enqueue(conn, approved(), STORY_TIME) == 1
    return registered.secret


def deliverer(
    pool: asyncpg.Pool,
    http: httpx.AsyncClient,
    clock: FixedClock | None = None,
    *,
    sealer: Sealer,
    policy: AddressPolicy = LOCAL,
    resolver: Resolver = system_resolver,
    deadline_seconds: float = 10.0,
    lease_margin_seconds: float = 30.0,
) -> Deliverer:
    """A deliverer on a short schedule (1 s, 1 s), local endpoints allowed by default."""
    return Deliverer(
        pool,
        clock or FixedClock(STORY_TIME),
        RetrySchedule.parse("1,1"),
        http,
        sealer,
        policy,
        resolver,
        deadline_seconds,
        lease_margin_seconds,
    )


async def the_delivery(pool: asyncpg.Pool) -> asyncpg.Record:
    row = await pool.fetchrow(
        "SELECT status, attempts, last_status, last_error FROM webhook_deliveries"
    )
    assert row is not None
    return row
