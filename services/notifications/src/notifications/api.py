"""The notifications service's internal API (`python -m notifications api`): webhook
endpoints and their deliveries as the gateway's ADMIN mutations manage them, and the
opt-in an operator records on a recipient's request. Every route needs a service
token (pavilion_core.service_tokens) and records its actor; nothing here is public
(the unsubscribe pages are: public.py)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, FastAPI, Query, Request
from pavilion_contracts.notifications import WebhookDeliveryStatus
from pavilion_core.bodies import ERROR_RESPONSES, Body
from pavilion_core.errors import NotFound
from pavilion_core.eventstore import IdempotencyKey, IdempotencyKeyInUse, request_hash
from pavilion_core.http import command_api, header_id, request_metadata
from pavilion_core.metrics import NOTIFICATIONS, Refresher
from pydantic import EmailStr, Field

from notifications import endpoints
from notifications.bootstrap import Services, start
from notifications.config import Config
from notifications.journal import first_result
from notifications.pipeline import opt_in
from notifications.webhooks import AddressPolicy

router = APIRouter(tags=["notifications"], responses=ERROR_RESPONSES)


class OptInIn(Body):
    address: EmailStr
    evidence: Annotated[str, Field(min_length=1, max_length=1000)]


@router.post("/recipients/opt-in")
async def opt_back_in(body: OptInIn, request: Request) -> dict[str, bool]:
    """Lift an opt-out on the recipient's explicit request; the evidence is recorded."""
    services: Services = request.app.state.services
    now, meta = services.config.clock.now(), request_metadata(request)
    lifted = await opt_in(services.pool, services.sealer, body.address, body.evidence, now, meta)
    return {"optedIn": lifted}


class EndpointIn(Body):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    event_types: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Za-z0-9.*_-]{1,200}$")]],
        Field(min_length=1, max_length=50),
    ]
    description: Annotated[str, Field(max_length=500)] | None = None


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


async def _once(
    request: Request,
    body: Any,
    change: Callable[[IdempotencyKey | None], Awaitable[Changed]],
    *,
    shows_secret: bool = False,
) -> Changed:
    """`change` once per Idempotency-Key: a retry is answered with the first result
    (and the endpoint's secret as it is now, where the answer shows one)."""
    services, key = _services(request), header_id(request, "idempotency-key")
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


@router.post("/webhooks", status_code=201, response_model_by_alias=True)
async def register_webhook(body: EndpointIn, request: Request) -> Changed:
    """The secret is shown once: receivers verify signatures with it."""
    services = _services(request)

    async def register(once: IdempotencyKey | None) -> Changed:
        made = await endpoints.register_endpoint(
            services.pool,
            body.url,
            body.event_types,
            body.description,
            policy=AddressPolicy(services.config.webhooks_allowed_networks),
            meta=request_metadata(request),
            now=services.config.clock.now(),
            once=once,
        )
        return Changed(id=UUID(made.endpoint_id), version=made.version, secret=made.secret)

    return await _once(request, body.model_dump(mode="json"), register, shows_secret=True)


@router.post("/webhooks/{id}/disable", response_model_by_alias=True)
async def disable(id: UUID, request: Request) -> Changed:
    meta, pool = request_metadata(request), _services(request).pool

    async def change(once: IdempotencyKey | None) -> Changed:
        return Changed(id=id, version=await endpoints.disable_endpoint(pool, str(id), meta, once))

    return await _once(request, {}, change)


@router.post("/webhooks/{id}/enable", response_model_by_alias=True)
async def enable(id: UUID, request: Request) -> Changed:
    meta, pool = request_metadata(request), _services(request).pool

    async def change(once: IdempotencyKey | None) -> Changed:
        return Changed(id=id, version=await endpoints.enable_endpoint(pool, str(id), meta, once))

    return await _once(request, {}, change)


@router.post("/webhooks/{id}/rotate-secret", response_model_by_alias=True)
async def rotate_secret(id: UUID, request: Request) -> Changed:
    """The new secret is shown once; the old one signs nothing from now on."""
    meta, pool = request_metadata(request), _services(request).pool

    async def change(once: IdempotencyKey | None) -> Changed:
        made = await endpoints.rotate_secret(pool, str(id), meta, once)
        return Changed(id=id, version=made.version, secret=made.secret)

    return await _once(request, {}, change, shows_secret=True)


@router.post("/webhooks/{id}/delete", response_model_by_alias=True)
async def delete(id: UUID, request: Request) -> Changed:
    services = _services(request)
    now, meta = services.config.clock.now(), request_metadata(request)

    async def change(once: IdempotencyKey | None) -> Changed:
        version = await endpoints.delete_endpoint(services.pool, str(id), meta, now, once)
        return Changed(id=id, version=version)

    return await _once(request, {}, change)


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


@router.post("/webhooks/deliveries/{id}/redeliver", response_model_by_alias=True)
async def redeliver_now(id: UUID, request: Request) -> DeliveryOut:
    """Due at once, with the same webhook-id; the delivery as it is now."""
    services = _services(request)
    await endpoints.redeliver(services.pool, str(id), services.config.clock.now())
    return await delivery(id, request)


def create_app(config: Config | None = None) -> FastAPI:
    async def started() -> Services:
        return await start(config or Config.from_env())

    def outcomes(app: FastAPI) -> list[Refresher]:
        async def by_status() -> None:
            services: Services = app.state.services
            rows = await services.pool.fetch(
                "SELECT status, count(*) AS n FROM notifications GROUP BY status"
            )
            for row in rows:
                NOTIFICATIONS.labels(row["status"].lower()).set(row["n"])

        return [by_status]

    return command_api(
        "notifications", "Pavilion notifications", started, [router], more_metrics=outcomes
    )
