"""HTTP plumbing shared by the command APIs: service-token authentication (the actor
comes from the token, never from a header the caller writes), typed JSON errors,
correlation ids, command context from headers (and `Idempotent-Replayed: true` on an
answer that a retried Idempotency-Key got from the first request), health and readiness.

Every error body is `{"error": {"code", "message", "fields"?}}` with a fitting
status; bad input never becomes a 500.
"""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol, TypeVar
from uuid import UUID

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pavilion_core import parking
from pavilion_core.bodies import Accepted, StreamVersion, Versioned
from pavilion_core.db import Pool
from pavilion_core.envelope import Metadata
from pavilion_core.errors import CommandRejected, InvalidValue
from pavilion_core.eventstore import (
    AppendResult,
    CommandContext,
    IdempotencyKeyReused,
    WrongExpectedVersion,
    request_hash,
)
from pavilion_core.logging import correlation_id, describe
from pavilion_core.metrics import (
    OUTBOX_BACKLOG,
    RELAY_HELD_BACK,
    REQUEST_SECONDS,
    Refresher,
    exposition,
)
from pavilion_core.outages import DATABASE_DOWN, NO_OUTAGE, database_down
from pavilion_core.personal import Sealer
from pavilion_core.relay import backlog, held_back, relay_name
from pavilion_core.service_tokens import Guard, ServiceTokens, Unauthenticated, documented
from pavilion_core.vault import pseudonym_key

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 2
READY_DEADLINE_SECONDS = 2.0


Cmd = TypeVar("Cmd")


async def run_command(
    request: Request,
    body: Versioned,
    handler: Callable[[Cmd, CommandContext], Awaitable[AppendResult]],
    command: Cmd,
) -> Accepted:
    """Run `command` with the context of the request and answer what it appended."""
    ctx = command_context(request, body, body.expected_version)
    return accepted(request, await handler(command, ctx))


def accepted(request: Request, result: AppendResult) -> Accepted:
    """The answer to a command that appended `result`."""
    request.state.idempotent_replayed = result.replayed
    return Accepted(
        id=result.stream_id,
        version=result.version,
        event_ids=[UUID(e) for e in result.event_ids],
        streams=[StreamVersion(id=s, version=v) for s, v in result.streams.items()],
    )


_QUIET = ("/healthz", "/readyz", "/metrics")
# What a caller may put in an id-like header: printable ASCII without spaces.
HEADER_ID = re.compile(r"^[!-~]{1,200}$")


class Correlated:
    """ASGI middleware: the request's correlation id (from X-Correlation-Id, or new) in
    the log context and on the response, Idempotent-Replayed when the command's answer
    was a replay, and a log line and latency sample per request. Plain ASGI, not
    Starlette's BaseHTTPMiddleware: that costs a task group and a stream per request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app, self.service = app, service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-correlation-id", "")
        cid = given if HEADER_ID.match(given) else str(uuid.uuid4())
        token, started = correlation_id.set(cid), time.perf_counter()
        status: list[int] = []  # once the response has started

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers = MutableHeaders(scope=message)
                headers["x-correlation-id"] = cid
                if scope.get("state", {}).get("idempotent_replayed"):
                    headers["idempotent-replayed"] = "true"
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("internal error")
            if status:  # too late for an error answer
                raise
            message = f"internal error; correlation id {cid}"
            await error(500, "INTERNAL", message)(scope, receive, send_with_id)
        finally:
            _observe(self.service, scope, status[0] if status else 500, started)
            correlation_id.reset(token)


def _observe(service: str, scope: Scope, status: int, started: float) -> None:
    path = getattr(scope.get("route"), "path", "unmatched")
    seconds = time.perf_counter() - started
    REQUEST_SECONDS.labels(service, scope["method"], path, str(status)).observe(seconds)
    if path not in _QUIET:
        log.info(
            "request",
            extra={
                "method": scope["method"],
                "route": path,
                "status": status,
                "ms": round(seconds * 1000, 1),
            },
        )


def error(status: int, code: str, message: str, fields: list[Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return JSONResponse({"error": body}, status_code=status)


def command_context(
    request: Request, body: Versioned, expected_version: int | None
) -> CommandContext:
    """The metadata of a command: the actor of its service token, ids from headers; the
    fingerprint of its path and body only when it has an idempotency key to keep it."""
    key = header_id(request, "idempotency-key")
    return CommandContext(
        metadata=request_metadata(request),
        expected_version=expected_version,
        idempotency_key=key,
        fingerprint=""
        if key is None
        else request_hash({"path": request.url.path, "body": body.model_dump(mode="json")}),
    )


def request_metadata(request: Request) -> Metadata:
    """Who acts (the service token's actor) and why (correlation and causation ids)."""
    return Metadata(
        correlation_id=correlation_id.get() or str(uuid.uuid4()),
        causation_id=header_id(request, "x-causation-id"),
        actor=request.state.actor,
    )


def header_id(request: Request, name: str) -> str | None:
    """An id-like header's value, refused (VALIDATION) unless printable ASCII ≤ 200."""
    value = request.headers.get(name)
    if value is not None and not HEADER_ID.match(value):
        raise InvalidValue(name, f"{name} must be 1-200 printable ASCII characters, no spaces")
    return value


class Relayed(Protocol):
    @property
    def topic(self) -> str: ...


class Running(Protocol):
    """What a service's bootstrap gives the API: a pool and a sealer (the vault) to
    check, the settings (its topic, for the outbox backlog), a way to close."""

    @property
    def pool(self) -> Pool: ...

    @property
    def sealer(self) -> Sealer: ...

    @property
    def config(self) -> Relayed: ...

    async def close(self) -> None: ...


def command_api(
    service: str,
    title: str,
    start: Callable[[], Awaitable[Running]],
    routers: Sequence[APIRouter],
    more_metrics: Callable[[FastAPI], Sequence[Refresher]] = lambda app: (),
    tokens: ServiceTokens | None = None,
) -> FastAPI:
    """A command API: the service started in the lifespan (as `app.state.services`),
    typed errors, correlation ids, /healthz and /readyz, and the service's routers, each
    route only for requests with a service token (from PAVILION_SERVICE_TOKEN_SECRET
    unless `tokens` is given: the API refuses to start without one). Its service writes
    personal values: without the pseudonym secret it refuses to start too."""
    tokens = tokens or ServiceTokens.from_env()
    pseudonym_key()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await start()
        yield
        await app.state.services.close()

    app = FastAPI(title=title, version="1", lifespan=lifespan)

    async def ready() -> bool:
        services: Running = app.state.services
        up = await services.pool.fetchval("SELECT true") is True
        return up and await services.sealer.vault.ready()

    async def outbox() -> None:
        services: Running = app.state.services
        name = relay_name(service, services.config.topic)
        OUTBOX_BACKLOG.labels(service).set(await backlog(services.pool, name))
        holder = await held_back(services.pool)
        RELAY_HELD_BACK.labels(service).set((holder.seconds or 0) if holder else 0)
        await parking.refresh_gauge(services.pool)

    app.add_middleware(Guard, service=service, tokens=tokens)  # added first: inside Correlated
    install(app, ready, service=service, refreshers=[outbox, *more_metrics(app)])
    for router in routers:
        app.include_router(router, dependencies=[documented()])
    return app


def install(
    app: FastAPI,
    ready: Callable[[], Awaitable[bool]],
    *,
    service: str,
    refreshers: Sequence[Refresher] = (),
    metrics: bool = True,
) -> None:
    """Correlation ids, a log line and a latency sample per request, typed errors,
    /healthz, /readyz and (unless `metrics` is False: a public app) /metrics."""

    app.add_middleware(Correlated, service=service)

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(_: Request, exc: Unauthenticated) -> JSONResponse:
        refusal = error(401, "UNAUTHENTICATED", str(exc))
        refusal.headers["www-authenticate"] = "Bearer"
        return refusal

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields = [
            {"field": [str(p) for p in e["loc"] if p != "body"], "message": e["msg"]}
            for e in exc.errors()
        ]
        return error(422, "VALIDATION", "the command is not valid", fields)

    @app.exception_handler(CommandRejected)
    async def rejected(_: Request, exc: CommandRejected) -> JSONResponse:
        fields = [{"field": [exc.field], "message": str(exc)}] if exc.field else None
        return error(exc.status, exc.code, str(exc), fields)

    @app.exception_handler(WrongExpectedVersion)
    async def conflict(_: Request, exc: WrongExpectedVersion) -> JSONResponse:
        return error(
            409, "CONFLICT", str(exc), [{"field": ["expectedVersion"], "message": str(exc)}]
        )

    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.warning("a dependency is unavailable", extra={"error": describe(exc)})
        message = (
            "the service's database is unavailable; retry shortly"
            " (a command: with the same Idempotency-Key)"
        )
        answer = error(503, "UNAVAILABLE", message)
        answer.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
        return answer

    async def not_an_outage(_: Request, exc: Exception) -> JSONResponse:
        raise exc  # the work's own fault: an internal error, answered by Correlated

    for down in DATABASE_DOWN:
        app.add_exception_handler(down, unavailable)
    for fault in NO_OUTAGE:  # more specific than the outage class each subclasses
        app.add_exception_handler(fault, not_an_outage)

    @app.exception_handler(IdempotencyKeyReused)
    async def reused(_: Request, exc: IdempotencyKeyReused) -> JSONResponse:
        return error(
            422, "VALIDATION", str(exc), [{"field": ["Idempotency-Key"], "message": str(exc)}]
        )

    if metrics:

        @app.get("/metrics", include_in_schema=False)
        async def exposed() -> Response:
            body, media_type = await exposition(refreshers)
            return Response(body, media_type=media_type)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        """Alive: the process answers, whatever its dependencies do."""
        return {"status": "ok", "service": service}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        """Ready: its database answers (within a deadline) — else 503, and not an error."""
        try:
            ok = await asyncio.wait_for(ready(), READY_DEADLINE_SECONDS)
        except Exception as exc:
            if not database_down(exc):
                raise
            ok = False
        body = {"status": "ready" if ok else "not ready", "service": service}
        return JSONResponse(body, status_code=200 if ok else 503)
