"""The gateway's ASGI app: GraphQL (HTTP and graphql-transport-ws) at /graphql, and
/healthz, /readyz, /metrics. Every GraphQL request must carry a valid bearer token; over
a WebSocket it comes in the connection_init payload (or the upgrade request's header)."""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pavilion_core.http import install
from pavilion_core.metrics import CONSUMER_LAG
from starlette.requests import HTTPConnection
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter

from gateway.auth import Authenticator, Role, Unauthenticated, Viewer
from gateway.bootstrap import connect
from gateway.commands import CommandClient
from gateway.config import AuthSettings, Config
from gateway.context import Context, Services
from gateway.news import News
from gateway.offsets import end_offsets, lag, stored
from gateway.schema import make_schema

# A WebSocket's until its connection_init is accepted, and the GraphiQL page's (GET
# serves only the IDE: queries over GET are refused).
NOT_YET = Viewer("", Role.VIEWER)


class Router(GraphQLRouter[Context, None]):
    def __init__(self, authenticator: Authenticator, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.authenticator = authenticator

    async def on_ws_connect(self, context: Context) -> None:
        params = context.connection_params or {}
        header = params.get("Authorization") or params.get("authorization")
        try:
            context.viewer = await self.authenticator.viewer(header or context.header)
        except Unauthenticated as exc:
            raise ConnectionRejectionError({"message": str(exc)}) from None


def refusal(status: int, code: str, message: str) -> JSONResponse:
    """A request refused before GraphQL runs, in the shape of a GraphQL error."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    headers = {"www-authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


def create_app(config: Config | None = None, auth: AuthSettings | None = None) -> FastAPI:
    config = config or Config.from_env()
    authenticator = Authenticator(auth or AuthSettings.from_env())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await connect(config)
        news = News(config.database_url)
        await news.start()
        commands = CommandClient(
            {
                "exhibitors": config.exhibitors_url,
                "outreach": config.outreach_url,
                "notifications": config.notifications_url,
            }
        )
        app.state.services = Services(pool, commands, news, config.limits)
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
        else:
            viewer = await authenticator.viewer(header)
        return Context(services=app.state.services, viewer=viewer, header=header)

    @app.exception_handler(Unauthenticated)
    async def refused(_: Request, exc: Unauthenticated) -> JSONResponse:
        return refusal(401, "UNAUTHENTICATED", str(exc))

    @app.middleware("http")
    async def bounded(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        limit = config.limits.max_body_bytes
        if request.method == "POST":
            length = request.headers.get("content-length", "")
            if not length.isdigit():
                return refusal(411, "LENGTH_REQUIRED", "a Content-Length is required")
            if int(length) > limit:
                return refusal(413, "PAYLOAD_TOO_LARGE", f"the body is larger than {limit} bytes")
        return await call_next(request)

    async def projection_lag() -> None:
        applied = await stored(app.state.services.pool, config.group_id)
        CONSUMER_LAG.labels(config.group_id).set(lag(applied, await end_offsets(config)))

    install(app, ready, service="gateway", refreshers=[projection_lag])
    schema = make_schema(config.limits, introspection=config.introspection)
    app.include_router(
        Router(
            authenticator,
            schema=schema,
            context_getter=context,
            graphql_ide="graphiql" if config.graphiql else None,
            allow_queries_via_get=False,
        ),
        prefix="/graphql",
    )
    return app
