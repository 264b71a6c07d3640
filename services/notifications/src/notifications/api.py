"""The notifications service's HTTP API: the one-click unsubscribe link that every
commercial email carries (GET from a browser, POST per RFC 8058 from a mail client)."""

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from pavilion_core.envelope import Metadata
from pavilion_core.http import command_api

from notifications.bootstrap import Services, start
from notifications.config import Config
from notifications.pipeline import opt_out

router = APIRouter(tags=["unsubscribe"])
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


def create_app(config: Config | None = None) -> FastAPI:
    async def started() -> Services:
        return await start(config or Config.from_env())

    return command_api("Pavilion notifications", started, [router])
