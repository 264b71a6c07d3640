"""The notifications service's only public surface: the unsubscribe link every
commercial email carries (`python -m notifications public`).

GET shows a confirmation page and changes nothing: mail scanners and link previews
follow links, and must not opt people out. POST opts the address out at once: the
page's button, and one-click unsubscribe from a mail client (RFC 8058, whose
`List-Unsubscribe-Post: List-Unsubscribe=One-Click` header every email carries).
The token is signed, so nobody can opt out an address they were not sent.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import escape

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from pavilion_core.envelope import Metadata
from pavilion_core.errors import InvalidValue
from pavilion_core.http import install
from pavilion_core.logging import correlation_id

from notifications.bootstrap import Services, start
from notifications.config import Config
from notifications.pipeline import opt_out

# Nothing but this page's own inline style and its form posting back here.
HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>{title}</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:3em auto;padding:0 1em}}
button{{font-size:1em;padding:.5em 1.2em}}</style></head><body>{body}</body></html>"""
CONFIRM = """<h1>Unsubscribe</h1><p>Stop all email from us to <strong>{address}</strong>?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>"""
DONE = "<h1>Unsubscribed</h1><p>{address} will receive no more email from us.</p>"
INVALID = "<h1>Link not valid</h1><p>This unsubscribe link is damaged or not ours.</p>"


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=title, body=body), status_code=status, headers=HEADERS)


def create_app(config: Config | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await start(config or Config.from_env(), pool_size=3)
        services.links  # noqa: B018 (refuse to start without a usable secret)
        app.state.services = services
        yield
        await services.close()

    app = FastAPI(title="Pavilion unsubscribe", lifespan=lifespan, openapi_url=None)

    async def ready() -> bool:
        services: Services = app.state.services
        return await services.pool.fetchval("SELECT true") is True

    install(app, ready, service="notifications-public", metrics=False)

    @app.exception_handler(InvalidValue)
    async def invalid(_: Request, exc: InvalidValue) -> HTMLResponse:
        return page("Link not valid", INVALID, status=400)

    @app.get("/unsubscribe/{token}", response_class=HTMLResponse)
    async def confirm(token: str, request: Request) -> HTMLResponse:
        address = request.app.state.services.links.address(token)
        return page("Unsubscribe", CONFIRM.format(address=escape(address)))

    @app.post("/unsubscribe/{token}", response_class=HTMLResponse)
    async def unsubscribe(token: str, request: Request) -> HTMLResponse:
        services: Services = request.app.state.services
        address = services.links.address(token)
        meta = Metadata(correlation_id=correlation_id.get() or "", actor="recipient")
        await opt_out(services.pool, services.sealer, address, services.config.clock.now(), meta)
        return page("Unsubscribed", DONE.format(address=escape(address)))

    return app
