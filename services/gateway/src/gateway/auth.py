"""Who is asking: JWT bearer tokens, verified with a shared secret (HS256, for dev and
tests) or with the keys of a JWKS endpoint (RS256, for production).

Claims: `sub` (who), `role` (ADMIN, ORGANIZER, EXHIBITOR or VIEWER), `applications`
(for an EXHIBITOR: the applications it may see and change), `exp`, `iss`, `aud`.
"""

import asyncio
import time
from dataclasses import dataclass
from enum import Enum
from typing import Any

import jwt
import strawberry

from gateway.config import AuthSettings


@strawberry.enum
class Role(Enum):
    ADMIN = "ADMIN"
    ORGANIZER = "ORGANIZER"
    EXHIBITOR = "EXHIBITOR"
    VIEWER = "VIEWER"


STAFF = frozenset({Role.ADMIN, Role.ORGANIZER})
LEEWAY = 30  # seconds a token is still taken after its exp (clocks differ)


class Unauthenticated(Exception):
    """No token, or one that is expired, wrongly signed or without a valid role."""


@dataclass(frozen=True)
class Viewer:
    subject: str
    role: Role
    applications: frozenset[str] = frozenset()
    expires: float | None = None  # the token's exp (seconds since the epoch)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    @property
    def sees_personal_data(self) -> bool:
        return self.role is not Role.VIEWER

    @property
    def valid_until(self) -> float | None:
        return None if self.expires is None else self.expires + LEEWAY

    def expired(self, now: float) -> bool:
        return self.valid_until is not None and now > self.valid_until


class Authenticator:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self.jwks = jwt.PyJWKClient(settings.jwks_url) if settings.jwks_url else None

    async def viewer(self, authorization: str | None) -> Viewer:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthenticated("an Authorization: Bearer <token> header is required")
        try:
            claims = await self._verify(token.strip())
            role = Role(claims["role"])
        except (jwt.PyJWTError, KeyError, ValueError) as exc:
            raise Unauthenticated(f"the token is not acceptable: {exc}") from None
        applications = claims.get("applications") or []
        if not isinstance(applications, list):
            raise Unauthenticated("the token's applications claim is not a list")
        return Viewer(
            str(claims["sub"]),
            role,
            frozenset(str(a) for a in applications),
            expires=float(claims["exp"]),
        )

    async def _verify(self, token: str) -> dict[str, Any]:
        options = {"require": ["exp", "sub", "role"]}
        common: dict[str, Any] = {
            "audience": self.settings.audience,
            "issuer": self.settings.issuer,
            "options": options,
            "leeway": LEEWAY,
        }
        if self.jwks is not None:  # PyJWKClient fetches (and caches) keys with blocking I/O
            key = await asyncio.to_thread(self.jwks.get_signing_key_from_jwt, token)
            return jwt.decode(token, key.key, algorithms=["RS256"], **common)
        return jwt.decode(token, self.settings.secret, algorithms=["HS256"], **common)


def mint(
    settings: AuthSettings,
    subject: str,
    role: Role,
    *,
    applications: list[str] | None = None,
    ttl_seconds: int = 3600,
) -> str:
    """A dev token signed with the shared secret."""
    if not settings.secret:
        raise ValueError("PAVILION_JWT_SECRET is not set: there is no key to sign with")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "role": role.value,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if applications:
        claims["applications"] = applications
    return jwt.encode(claims, settings.secret, algorithm="HS256")
