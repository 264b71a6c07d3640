"""The gateway's ASGI app: GraphQL (HTTP and graphql-transport-ws) at /graphql (GraphiQL's
page for a browser's GET, when on), the console at /console/ (console.py), and
/healthz, /readyz, /metrics. Every GraphQL request must carry a valid bearer token; over
a WebSocket it comes in the connection_init payload (or the upgrade request's header)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pavilion_core import parking
from pavilion_core.http import install
from pavilion_core.metrics import CONSUMER_LAG, OFFSETS_OUT_OF_LOG
from pavilion_core.service_tokens import ServiceTokens
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway import console
from gateway.auth import Authenticator, Role, Unauthenticated, Viewer
from gateway.bootstrap import connect
from gateway.commands import CommandClient
from gateway.config import AuthSettings, Config, ConsoleSettings
from gateway.context import Context, Services
from gateway.news import HostCount, News
from gateway.offsets import ends, lag, log_ranges, stored
from gateway.responses import PATH, Cached
from gateway.schema import make_schema

# A WebSocket's until its connection_init is accepted, and the GraphiQL page's (GET
# serves only the IDE: queries over GET are refused).
NOT_YET = Viewer("", Role.VIEWER)


class Router(GraphQLRouter[Context, None]):
    def __init__(
        self, authenticator: Authenticator, console: ConsoleSettings, **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.authenticator, self.console = authenticator, console

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """GraphiQL from the console's build (no CDN). It carries no token: the page
        takes one from its link's fragment (make run prints one) or the console's
        session in the tab — a token handed to any GET would be anyone's for the asking."""
        return console.graphiql_page(self.console, request)

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization")
        if header is not None and not isinstance(header, str):
            raise ConnectionRejectionError({"message": "Authorization must be a string"})
        try:
            context.viewer = await self.authenticator.viewer(header or context.header)
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": str(exc)}) from None


def refusal(status: int, code: str, message: str) -> JSONResponse:
    """A request refused before GraphQL runs, in the shape of a GraphQL error."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    headers = {"www-authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


class Bounded:
    """ASGI middleware: a POST must say its length, and not more than `limit` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            length = Headers(scope=scope).get("content-length", "")
            refused = None
            if not length.isdigit():
                refused = refusal(411, "LENGTH_REQUIRED", "a Content-Length is required")
            elif int(length) > self.limit:
                message = f"the body is larger than {self.limit} bytes"
                refused = refusal(413, "PAYLOAD_TOO_LARGE", message)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)


def create_app(
    config: Config | None = None, auth: AuthSettings | None = None, *, prepared: bool = False
) -> FastAPI:
    """The app; `prepared`: the read model was migrated by whoever started this worker,
    which then starts without the database (see `connect`)."""
    config = config or Config.from_env()
    console_settings = ConsoleSettings.from_env()
    authenticator = Authenticator(auth or AuthSettings.from_env())
    tokens = ServiceTokens.from_env()  # refuses to start without the service-token secret

    news = News(
        config.database_url, count=HostCount(config.news_file) if config.news_file else None
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await connect(config, bounded=True, prepared=prepared)
        await (news.listen() if prepared else news.start())
        commands = CommandClient(
            {
                "exhibitors": config.exhibitors_url,
                "outreach": config.outreach_url,
                "notifications": config.notifications_url,
            },
            tokens,
        )
        app.state.services = Services(pool, commands, news, config.limits, config.mail_viewer_url)
        yield
        await news.close()
        await commands.close()
        await pool.close()

    app = FastAPI(title="Pavilion GraphQL gateway", lifespan=lifespan, openapi_url=None)

    async def ready() -> bool:
        return await app.state.services.pool.fetchval("SELECT true") is True

    async def context(connection: HTTPConnection) -> Context:
        header = connection.headers.get("authorization")
        if connection.scope["type"] == "websocket" or connection.scope["method"] == "GET":
            viewer = NOT_YET  # a WebSocket authenticates in connection_init; GET is the IDE
        else:  # the response cache may have authenticated the request already
            viewer = connection.scope.get("state", {}).get("viewer")
            viewer = viewer or await authenticator.viewer(header)
        return Context(services=app.state.services, viewer=viewer, header=header)

    @app.exception_handler(Unauthenticated)
    async def refused(_: Request, exc: Unauthenticated) -> JSONResponse:
        return refusal(401, "UNAUTHENTICATED", str(exc))

    async def projection_lag() -> None:
        pool = app.state.services.pool
        applied, ranges = await stored(pool, config.group_id), await log_ranges(config)
        CONSUMER_LAG.labels(config.group_id).set(lag(applied, ends(ranges)))
        outside = [
            tp for tp, (first, end) in ranges.items() if not first <= applied.get(tp, 0) <= end
        ]
        OFFSETS_OUT_OF_LOG.labels(config.group_id).set(len(outside))
        await parking.refresh_gauge(pool)

    schema = make_schema(config.limits, introspection=config.introspection)
    app.include_router(
        Router(
            authenticator,
            console_settings,
            schema=schema,
            context_getter=context,
            graphql_ide="graphiql" if config.graphiql else None,
            allow_queries_via_get=False,
            # graphql-transport-ws only: the legacy graphql-ws protocol runs subscriptions
            # alone and answered anything else with an internal error
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        ),
        prefix=PATH,
    )
    app.include_router(console.router(console_settings))
    # the last added is the outermost: Correlated (install), Bounded, the response cache
    if config.cache.enabled:
        app.add_middleware(Cached, config.cache, news, authenticator)
    app.add_middleware(Bounded, limit=config.limits.max_body_bytes)
    install(app, ready, service="gateway", refreshers=[projection_lag])
    return app
