"""The console and GraphiQL, served from the console's build (console/dist: `make
install` runs `npm ci && npm run build` there): /console/ is the app (its assets, and
index.html for every client-side route), /console/config.json what it needs to know of
the gateway, and GET /graphql in a browser GraphiQL's page (app.py). Every asset is
local; the pages' Content-Security-Policy lets them reach this origin only (and the OIDC
provider, when one is configured)."""

import re
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from gateway.config import ConsoleSettings

PREFIX = "/console"
HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$|^\[[0-9A-Fa-f:]+\](:\d+)?$")
NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Console not built</title></head><body><h1>The console is not built</h1>
<p>{what} is missing. Run <code>make install</code> (it runs <code>npm ci &amp;&amp;
npm run build</code> in <code>console/</code>), or set PAVILION_CONSOLE_DIST to a
built console.</p></body></html>"""
# Hashed file names: a new build is new URLs, so the old ones never change.
IMMUTABLE = "public, max-age=31536000, immutable"


def policy(request: Request, *, extra_connect: str = "", graphiql: bool = False) -> str:
    """The pages' Content-Security-Policy: scripts, styles, images and connections to
    this origin only, and WebSocket connections to this host (GraphQL subscriptions)."""
    connect = ["'self'"]
    host = request.headers.get("host", "")
    if HOST.match(host):
        connect.append(f"{'wss' if request.url.scheme == 'https' else 'ws'}://{host}")
    if extra_connect:
        connect.append(extra_connect)
    # GraphiQL (CodeMirror) sets style attributes, and its stylesheet carries its icons
    # and fonts as data: URIs
    styles, data = ("'self' 'unsafe-inline'", "'self' data:") if graphiql else ("'self'",) * 2
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {styles}",
            f"img-src {data}",
            f"font-src {data}",
            f"connect-src {' '.join(connect)}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _page(dist: Path, name: str, csp: str) -> HTMLResponse:
    page = dist / name
    headers = {"content-security-policy": csp, "cache-control": "no-cache"}
    headers["x-content-type-options"] = "nosniff"
    if not page.is_file():  # named, not where: the server's paths are not the caller's
        return HTMLResponse(NOT_BUILT.format(what=name), status_code=503, headers=headers)
    return HTMLResponse(page.read_text(encoding="utf-8"), headers=headers)


def graphiql_page(settings: ConsoleSettings, request: Request) -> HTMLResponse:
    """GraphiQL's page."""
    return _page(settings.dist, "graphiql.html", policy(request, graphiql=True))


def router(settings: ConsoleSettings) -> APIRouter:
    routes = APIRouter()
    oidc = settings.oidc
    issuer = urlsplit(oidc.issuer) if oidc else None
    provider = f"{issuer.scheme}://{issuer.netloc}" if issuer else ""

    @routes.get(f"{PREFIX}/config.json", include_in_schema=False)
    async def config() -> JSONResponse:
        shown = oidc and {"issuer": oidc.issuer, "clientId": oidc.client_id, "scope": oidc.scope}
        return JSONResponse({"oidc": shown or None})

    @routes.get(PREFIX, include_in_schema=False)
    async def bare() -> RedirectResponse:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    @routes.get(f"{PREFIX}/{{path:path}}", include_in_schema=False)
    async def files(path: str, request: Request) -> Response:
        dist = settings.dist.resolve()
        asset = (dist / path).resolve()
        if path and asset.is_relative_to(dist) and asset.is_file() and asset.suffix != ".html":
            cache = IMMUTABLE if path.startswith("assets/") else "no-cache"
            headers = {"cache-control": cache, "x-content-type-options": "nosniff"}
            return FileResponse(asset, headers=headers)
        if path.startswith("assets/"):  # a missing asset is not a page of the app
            return Response(status_code=404)
        return _page(dist, "index.html", policy(request, extra_connect=provider))

    return routes
