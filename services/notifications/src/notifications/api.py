"""The notifications service's internal API (`python -m notifications api`): webhook
endpoints and their deliveries as the gateway's ADMIN mutations manage them, and the
opt-in an operator records on a recipient's request. Every route needs a service
token (pavilion_core.service_tokens) and records its actor; nothing here is public
(the unsubscribe pages are: public.py). Its commands are declared in the contract
(pavilion_contracts.notifications.commands): each is posted at its route there, and
answered here with what it changed."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, FastAPI, Query, Request
from pavilion_contracts.notifications import WebhookDeliveryStatus
from pavilion_contracts.notifications import commands as c
from pavilion_core.bodies import ERROR_RESPONSES, Body
from pavilion_core.commanding import Command, posts
from pavilion_core.errors import InvalidValue, NotFound
from pavilion_core.eventstore import IdempotencyKey, IdempotencyKeyInUse, request_hash
from pavilion_core.http import command_api, header_id, request_metadata
from pavilion_core.metrics import NOTIFICATIONS, Refresher

from notifications import endpoints
from notifications.bootstrap import Services, start
from notifications.config import Config
from notifications.journal import first_result
from notifications.pipeline import opt_in
from notifications.webhooks import AddressPolicy

router = APIRouter(tags=["notifications"], responses=ERROR_RESPONSES)


@posts(router, c.OptInRecipient)
async def opt_back_in(cmd: c.OptInRecipient, request: Request) -> dict[str, bool]:
    """Lift an opt-out on the recipient's explicit request; the evidence is recorded."""
    _unversioned(cmd)
    services: Services = request.app.state.services
    now, meta = services.config.clock.now(), request_metadata(request)
    lifted = await opt_in(services.pool, services.sealer, cmd.address, cmd.evidence, now, meta)
    return {"optedIn": lifted}


class Changed(Body):
    """The endpoint's stream and its new version; a secret only when one was made."""

    id: UUID
    version: int
    secret: str | None = None


class DeliveryOut(Body):
    id: UUID
    endpoint_id: UUID
    event_id: str
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime


class DeliveriesOut(Body):
    deliveries: list[DeliveryOut]
    total: int


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def _unversioned(cmd: Command) -> None:
    """Only an endpoint's changes pin its version: elsewhere there is none to expect."""
    if cmd.expected_version is not None:
        raise InvalidValue("expectedVersion", "only a change of an endpoint takes a version")


async def _once(
    request: Request,
    cmd: Command,
    change: Callable[[IdempotencyKey | None], Awaitable[Changed]],
    *,
    shows_secret: bool = False,
) -> Changed:
    """`change` once per Idempotency-Key: a retry is answered with the first result
    (and the endpoint's secret as it is now, where the answer shows one)."""
    services, key = _services(request), header_id(request, "idempotency-key")
    body = cmd.model_dump(mode="json")
    pool, fingerprint = services.pool, request_hash({"path": request.url.path, "body": body})
    kept_for = services.config.idempotency_retention
    once = IdempotencyKey(request.state.actor, key, fingerprint, kept_for) if key else None

    async def replayed() -> Changed | None:
        if (done := await first_result(pool, once)) is None:
            return None
        request.state.idempotent_replayed = True
        secret = await endpoints.current_secret(pool, done.stream_id) if shows_secret else None
        return Changed(id=UUID(done.stream_id), version=done.version, secret=secret)

    if replay := await replayed():
        return replay
    try:
        return await change(once)
    except IdempotencyKeyInUse:  # the same key at the same moment: the first won
        if replay := await replayed():
            return replay
        raise


@posts(router, c.RegisterWebhookEndpoint)
async def register_webhook(cmd: c.RegisterWebhookEndpoint, request: Request) -> Changed:
    _unversioned(cmd)
    services = _services(request)

    async def register(once: IdempotencyKey | None) -> Changed:
        made = await endpoints.register_endpoint(
            services.pool,
            cmd.url,
            cmd.event_types,
            cmd.description,
            policy=AddressPolicy(services.config.webhooks_allowed_networks),
            meta=request_metadata(request),
            now=services.config.clock.now(),
            once=once,
        )
        return Changed(id=UUID(made.endpoint_id), version=made.version, secret=made.secret)

    return await _once(request, cmd, register, shows_secret=True)


@posts(router, c.DisableWebhookEndpoint)
@posts(router, c.EnableWebhookEndpoint)
async def enable_or_disable(cmd: c.EndpointChange, request: Request) -> Changed:
    """As the command says; an endpoint already so answers its current version."""
    meta, pool, id = request_metadata(request), _services(request).pool, cmd.endpoint_id
    enable = isinstance(cmd, c.EnableWebhookEndpoint)
    turn = endpoints.enable_endpoint if enable else endpoints.disable_endpoint

    async def change(once: IdempotencyKey | None) -> Changed:
        return Changed(id=id, version=await turn(pool, str(id), meta, once, cmd.expected_version))

    return await _once(request, cmd, change)


@posts(router, c.RotateWebhookSecret)
async def rotate_secret(cmd: c.RotateWebhookSecret, request: Request) -> Changed:
    """The new secret is shown once; the old one signs nothing from now on."""
    meta, pool, id = request_metadata(request), _services(request).pool, cmd.endpoint_id

    async def change(once: IdempotencyKey | None) -> Changed:
        made = await endpoints.rotate_secret(pool, str(id), meta, once, cmd.expected_version)
        return Changed(id=id, version=made.version, secret=made.secret)

    return await _once(request, cmd, change, shows_secret=True)


@posts(router, c.DeleteWebhookEndpoint)
async def delete(cmd: c.DeleteWebhookEndpoint, request: Request) -> Changed:
    services, id = _services(request), cmd.endpoint_id
    now, meta = services.config.clock.now(), request_metadata(request)

    async def change(once: IdempotencyKey | None) -> Changed:
        version = await endpoints.delete_endpoint(
            services.pool, str(id), meta, now, once, cmd.expected_version
        )
        return Changed(id=id, version=version)

    return await _once(request, cmd, change)


@router.get("/webhooks/{id}/deliveries", response_model_by_alias=True)
async def deliveries(
    id: UUID,
    request: Request,
    status: WebhookDeliveryStatus | None = None,
    after_created_at: Annotated[datetime | None, Query(alias="afterCreatedAt")] = None,
    after_id: Annotated[UUID | None, Query(alias="afterId")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> DeliveriesOut:
    """Newest first, in pages that continue after (createdAt, id) of the last one seen."""
    pool = _services(request).pool
    after = (after_created_at, str(after_id)) if after_created_at and after_id else None
    found = await endpoints.list_deliveries(pool, str(id), status=status, after=after, limit=limit)
    total = await endpoints.count_deliveries(pool, str(id), status=status)
    return DeliveriesOut(deliveries=[DeliveryOut(**vars(d)) for d in found], total=total)


@router.get("/webhooks/deliveries/{id}", response_model_by_alias=True)
async def delivery(id: UUID, request: Request) -> DeliveryOut:
    found = await endpoints.delivery(_services(request).pool, str(id))
    if found is None:
        raise NotFound(f"no webhook delivery {id}")
    return DeliveryOut(**vars(found))


@posts(router, c.RedeliverWebhookDelivery)
async def redeliver_now(cmd: c.RedeliverWebhookDelivery, request: Request) -> DeliveryOut:
    """Due at once, with the same webhook-id; the delivery as it is now."""
    _unversioned(cmd)
    services = _services(request)
    await endpoints.redeliver(services.pool, str(cmd.delivery_id), services.config.clock.now())
    return await delivery(cmd.delivery_id, request)


def create_app(config: Config | None = None) -> FastAPI:
    async def started() -> Services:
        return await start(config or Config.from_env())

    def outcomes(app: FastAPI) -> list[Refresher]:
        async def notification_outcomes() -> None:
            services: Services = app.state.services
            rows = await services.pool.fetch(
                "SELECT status, count(*) AS n FROM notifications GROUP BY status"
            )
            for row in rows:
                NOTIFICATIONS.labels(row["status"].lower()).set(row["n"])

        return [notification_outcomes]

    return command_api(
        "notifications", "Pavilion notifications", started, [router], more_metrics=outcomes
    )
