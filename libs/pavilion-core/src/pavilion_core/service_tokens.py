"""Service tokens: the only credential the internal APIs accept, and the only source of
the actor they record.

The gateway (for the person behind a GraphQL request) and operator commands (the demo
loaders, the importer, the `pavilion` CLI) mint a short-lived HS256 JWT with the shared
`PAVILION_SERVICE_TOKEN_SECRET`: `sub` is the acting person or tool, `aud` the service
it is for (a token minted for one service is refused by another), `exp` a minute away.

A few routes need a privilege beyond that: the token must name it in its `privileges`
claim. Only the operator command that needs one mints it (`HISTORY`: importing history
with its original times, exhibitors.history); the gateway's tokens name none, so no
GraphQL caller reaches such a route.
"""

import time
import uuid
from collections.abc import Generator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from pavilion_core.errors import Forbidden
from pavilion_core.secrets import secret

ISSUER = "pavilion-internal"
TTL_SECONDS = 60
SECRET_VARIABLE = "PAVILION_SERVICE_TOKEN_SECRET"
HISTORY = "history:import"
"""The privilege of recording history with its original times."""


class InvalidServiceToken(Exception):
    """No token, or one that is forged, expired or meant for another service."""


@dataclass(frozen=True)
class ServiceTokens:
    key: str

    @classmethod
    def from_env(cls) -> "ServiceTokens":
        return cls(secret(SECRET_VARIABLE))

    def mint(
        self,
        actor: str,
        audience: str,
        ttl_seconds: int = TTL_SECONDS,
        privileges: Sequence[str] = (),
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "sub": actor,
            "aud": audience,
            "iss": ISSUER,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        if privileges:
            claims["privileges"] = list(privileges)
        return jwt.encode(claims, self.key, algorithm="HS256")

    def actor(self, authorization: str | None, audience: str) -> str:
        """The actor a bearer token names, once its signature, audience and expiry hold."""
        return self.caller(authorization, audience).actor

    def caller(self, authorization: str | None, audience: str) -> "Caller":
        """The actor and privileges a bearer token names, once it holds (as `actor`)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidServiceToken("an Authorization: Bearer <service token> is required")
        try:
            claims = jwt.decode(
                token.strip(),
                self.key,
                algorithms=["HS256"],
                audience=audience,
                issuer=ISSUER,
                options={"require": ["exp", "sub", "aud", "iss"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidServiceToken(f"the service token is not acceptable: {exc}") from None
        privileges = claims.get("privileges", [])
        if not isinstance(privileges, list):
            raise InvalidServiceToken("the service token's privileges are not a list")
        return Caller(str(claims["sub"]), frozenset(str(p) for p in privileges))


@dataclass(frozen=True)
class Caller:
    """Who a service token names, and the privileges it grants beyond the audience."""

    actor: str
    privileges: frozenset[str] = frozenset()


class SignedAs(httpx.Auth):
    """httpx authentication: every request carries a fresh token naming `actor`."""

    def __init__(
        self, tokens: ServiceTokens, actor: str, audience: str, privileges: Sequence[str] = ()
    ) -> None:
        self.tokens, self.actor, self.audience = tokens, actor, audience
        self.privileges = privileges

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.tokens.mint(self.actor, self.audience, privileges=self.privileges)
        request.headers["authorization"] = f"Bearer {token}"
        yield request


def service_client(
    service: str,
    base_url: str,
    actor: str,
    timeout: float = 30,
    privileges: Sequence[str] = (),
) -> httpx.AsyncClient:
    """A client of `service`'s command API acting as `actor` (an operator command's),
    with `privileges` if the command needs any."""
    auth = SignedAs(ServiceTokens.from_env(), actor, service, privileges)
    return httpx.AsyncClient(base_url=base_url, timeout=timeout, auth=auth)


class Unauthenticated(Exception):
    """A request to an internal API without a valid service token."""


# What an internal API serves without a token: probes, metrics, its own documentation.
OPEN = frozenset({"/healthz", "/readyz", "/metrics", "/docs", "/docs/oauth2-redirect", "/redoc",
                  "/openapi.json"})  # fmt: skip


class Guard:
    """ASGI middleware: every other path of an internal API refuses a request without a
    valid service token for `service` (401) before anything reads its body; the
    token's actor goes to the request's state."""

    def __init__(self, app: ASGIApp, service: str, tokens: ServiceTokens) -> None:
        self.app, self.service, self.tokens = app, service, tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in OPEN:
            try:
                caller = self.tokens.caller(Headers(scope=scope).get("authorization"), self.service)
            except InvalidServiceToken as exc:
                body = {"error": {"code": "UNAUTHENTICATED", "message": str(exc)}}
                refusal = JSONResponse(body, 401, headers={"www-authenticate": "Bearer"})
                await refusal(scope, receive, send)
                return
            state = scope.setdefault("state", {})
            state["actor"], state["privileges"] = caller.actor, caller.privileges
        await self.app(scope, receive, send)


def requires(privilege: str) -> Any:
    """A route dependency that refuses (FORBIDDEN) a request whose service token does not
    grant `privilege`, before its body is read."""

    async def granted(request: Request) -> None:
        if privilege not in getattr(request.state, "privileges", frozenset()):
            raise Forbidden(f"this needs a service token with the privilege {privilege!r}")

    return Depends(granted)


def documented() -> Any:
    """A router dependency that declares the bearer scheme in the OpenAPI document (the
    Guard has checked the token already)."""
    bearer = HTTPBearer(auto_error=False, description="A service token (gateway/operator)")

    async def checked(
        request: Request, _: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
    ) -> None:
        if not getattr(request.state, "actor", None):
            raise Unauthenticated("an Authorization: Bearer <service token> is required")

    return Depends(checked)
