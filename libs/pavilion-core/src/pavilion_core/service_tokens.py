"""Service tokens: the only credential the internal APIs accept, and the only source of
the actor they record.

The gateway (for the person behind a GraphQL request) and operator commands (the demo
loaders, the importer, the `pavilion` CLI) mint a short-lived HS256 JWT with the shared
`PAVILION_SERVICE_TOKEN_SECRET`: `sub` is the acting person or tool, `aud` the service
it is for (a token minted for one service is refused by another), `exp` a minute away.
"""

import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from pavilion_core.secrets import secret

ISSUER = "pavilion-internal"
TTL_SECONDS = 60
SECRET_VARIABLE = "PAVILION_SERVICE_TOKEN_SECRET"


class InvalidServiceToken(Exception):
    """No token, or one that is forged, expired or meant for another service."""


@dataclass(frozen=True)
class ServiceTokens:
    key: str

    @classmethod
    def from_env(cls) -> "ServiceTokens":
        return cls(secret(SECRET_VARIABLE))

    def mint(self, actor: str, audience: str, ttl_seconds: int = TTL_SECONDS) -> str:
        now = int(time.time())
        claims = {
            "sub": actor,
            "aud": audience,
            "iss": ISSUER,
            "iat": now,
            "exp": now + ttl_seconds,
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, self.key, algorithm="HS256")

    def actor(self, authorization: str | None, audience: str) -> str:
        """The actor a bearer token names, once its signature, audience and expiry hold."""
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
        return str(claims["sub"])


class SignedAs(httpx.Auth):
    """httpx authentication: every request carries a fresh token naming `actor`."""

    def __init__(self, tokens: ServiceTokens, actor: str, audience: str) -> None:
        self.tokens, self.actor, self.audience = tokens, actor, audience

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["authorization"] = f"Bearer {self.tokens.mint(self.actor, self.audience)}"
        yield request


def service_client(
    service: str, base_url: str, actor: str, timeout: float = 30
) -> httpx.AsyncClient:
    """A client of `service`'s command API acting as `actor` (an operator command's)."""
    auth = SignedAs(ServiceTokens.from_env(), actor, service)
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
                actor = self.tokens.actor(Headers(scope=scope).get("authorization"), self.service)
            except InvalidServiceToken as exc:
                body = {"error": {"code": "UNAUTHENTICATED", "message": str(exc)}}
                refusal = JSONResponse(body, 401, headers={"www-authenticate": "Bearer"})
                await refusal(scope, receive, send)
                return
            scope.setdefault("state", {})["actor"] = actor
        await self.app(scope, receive, send)


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
