"""The notifications service's HTTP API: the one-click unsubscribe link that every
commercial email carries (GET from a browser, POST per RFC 8058 from a mail client),
webhook endpoint registration, and the state and manual redelivery of deliveries."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from pavilion_core.envelope import Metadata
from pavilion_core.errors import NotFound
from pavilion_core.http import ERROR_RESPONSES, Body, command_api
from pavilion_core.metrics import NOTIFICATIONS, Refresher
from pydantic import EmailStr, Field

from notifications.bootstrap import Services, start
from notifications.config import Config
from notifications.deliveries import redeliver, register_endpoint
from notifications.pipeline import opt_in, opt_out

router = APIRouter(tags=["notifications"])
PAGE = """<!doctype html><html><body><p>{address} will receive no more email from us.</p>
</body></html>"""


async def _unsubscribe(request: Request, token: str) -> HTMLResponse:
    services: Services = request.app.state.services
    address = services.notifier.links.address(token)
    await opt_out(
        services.pool,
        address,
        services.config.clock.now(),
        Metadata(correlation_id=f"unsubscribe-{token[:12]}", actor=address),
    )
    return HTMLResponse(PAGE.format(address=address))


@router.get("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_page(token: str, request: Request) -> HTMLResponse:
    return await _unsubscribe(request, token)


@router.post("/unsubscribe/{token}", response_class=HTMLResponse)
async def unsubscribe_one_click(token: str, request: Request) -> HTMLResponse:
    return await _unsubscribe(request, token)


class OptInIn(Body):
    address: EmailStr
    evidence: Annotated[str, Field(min_length=1, max_length=1000)]


@router.post("/recipients/opt-in", responses=ERROR_RESPONSES)
async def opt_back_in(body: OptInIn, request: Request) -> dict[str, bool]:
    """Lift an opt-out on the recipient's explicit, recorded request."""
    services: Services = request.app.state.services
    lifted = await opt_in(
        services.pool,
        body.address,
        services.config.clock.now(),
        Metadata(
            correlation_id=f"opt-in-{body.address}",
            actor=f"recipient:{body.address}:{body.evidence[:100]}",
        ),
    )
    return {"optedIn": lifted}


class EndpointIn(Body):
    url: Annotated[str, Field(min_length=8, max_length=2000)]
    event_types: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Za-z0-9.*_-]{1,200}$")]],
        Field(min_length=1, max_length=50),
    ]
    description: Annotated[str, Field(max_length=500)] | None = None


class EndpointOut(Body):
    id: UUID
    secret: str


class DeliveryOut(Body):
    id: UUID
    endpoint_id: UUID
    event_type: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None


@router.post("/webhooks", status_code=201, response_model_by_alias=True, responses=ERROR_RESPONSES)
async def register_webhook(body: EndpointIn, request: Request) -> EndpointOut:
    """The secret is shown once: receivers verify signatures with it."""
    services: Services = request.app.state.services
    endpoint, secret = await register_endpoint(
        services.pool,
        body.url,
        body.event_types,
        body.description,
        allow_private=services.config.webhooks_allow_private,
        now=services.config.clock.now(),
    )
    return EndpointOut(id=UUID(endpoint), secret=secret)


@router.get("/webhooks/deliveries/{id}", response_model_by_alias=True, responses=ERROR_RESPONSES)
async def delivery(id: UUID, request: Request) -> DeliveryOut:
    services: Services = request.app.state.services
    row = await services.pool.fetchrow(
        """SELECT id, endpoint_id, event_type, status, attempts, last_status, last_error
           FROM webhook_deliveries WHERE id = $1""",
        id,
    )
    if row is None:
        raise NotFound(f"no webhook delivery {id}")
    return DeliveryOut(**dict(row))


@router.post("/webhooks/deliveries/{id}/redeliver", status_code=202, responses=ERROR_RESPONSES)
async def redeliver_now(id: UUID, request: Request) -> dict[str, str]:
    services: Services = request.app.state.services
    await redeliver(services.pool, str(id), services.config.clock.now())
    return {"status": "PENDING"}


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
