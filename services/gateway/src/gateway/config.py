"""The gateway's settings, from the environment."""

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from pavilion_core.config import (
    ConfigError,
    KafkaSettings,
    database_url,
    env_int,
    env_str,
    service_url,
)
from pavilion_core.secrets import dev_mode, secret

SERVICE = "gateway"
JWT_SECRET = "PAVILION_JWT_SECRET"
# Set by `python -m gateway api` for its worker processes: the file of their HostCount.
NEWS_FILE = "PAVILION_GATEWAY_NEWS_FILE"
TOPICS = "pavilion.exhibitors.v1,pavilion.outreach.v1,pavilion.notifications.v1"


@dataclass(frozen=True)
class AuthSettings:
    secret: str
    jwks_url: str | None
    issuer: str
    audience: str

    @classmethod
    def from_env(cls) -> "AuthSettings":
        """RS256 through a JWKS URL, or HS256 with a secret (checked: see secrets.py)."""
        jwks_url = os.environ.get("PAVILION_JWT_JWKS_URL") or None
        if jwks_url is None and not os.environ.get(JWT_SECRET) and not dev_mode():
            raise ConfigError(f"set PAVILION_JWT_JWKS_URL (RS256) or {JWT_SECRET} (HS256)")
        return cls(
            secret=secret(JWT_SECRET) if jwks_url is None or os.environ.get(JWT_SECRET) else "",
            jwks_url=jwks_url,
            issuer=env_str("PAVILION_JWT_ISSUER", "pavilion"),
            audience=env_str("PAVILION_JWT_AUDIENCE", "pavilion-gateway"),
        )


@dataclass(frozen=True)
class Limits:
    """What one GraphQL request (and the API as a whole) may ask for."""

    max_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    max_body_bytes: int = 100_000
    max_cost: int = 20_000  # see cost.py: about the records a query may touch
    max_text: int = 5_000  # characters of any one string input
    wait_seconds: float = 5.0
    statement_seconds: float = 5.0  # statement_timeout of the read model's pool
    subscriptions_per_connection: int = 10
    subscriptions_per_subject: int = 50
    subscriptions_total: int = 2_000
    # answers as of a moment replaying at once in an API process, each holding one of the
    # read model's connections until its request ends (gateway.asof)
    past_replays: int = 4

    @classmethod
    def from_env(cls) -> "Limits":
        """PAVILION_GATEWAY_<NAME> for the settings operators tune (milliseconds for
        the two durations)."""
        counts = {
            name: env_int(f"PAVILION_GATEWAY_{name.upper()}", getattr(cls, name))
            for name in (
                "max_cost",
                "subscriptions_per_connection",
                "subscriptions_per_subject",
                "subscriptions_total",
                "past_replays",
            )
        }
        return cls(
            wait_seconds=env_int("PAVILION_GATEWAY_WAIT_MS", 5000) / 1000,
            statement_seconds=env_int("PAVILION_GATEWAY_STATEMENT_MS", 5000) / 1000,
            **counts,
        )


@dataclass(frozen=True)
class CacheSettings:
    """The response cache of each API process (responses.py); 0 entries turns it off."""

    entries: int = 5_000
    bytes: int = 64 * 1024 * 1024

    @property
    def enabled(self) -> bool:
        return self.entries > 0 and self.bytes > 0

    @classmethod
    def from_env(cls) -> "CacheSettings":
        return cls(
            entries=env_int("PAVILION_GATEWAY_CACHE_ENTRIES", cls.entries),
            bytes=env_int("PAVILION_GATEWAY_CACHE_MB", cls.bytes // 1024 // 1024) * 1024 * 1024,
        )


# The console's build (`npm run build` in console/, run by `make install`); the image
# sets PAVILION_CONSOLE_DIST to where it copies it.
CONSOLE_DIST = Path(__file__).resolve().parents[4] / "console" / "dist"


@dataclass(frozen=True)
class OidcSettings:
    """The provider the console signs in with (authorization code + PKCE); its access
    tokens must be ones the gateway takes (PAVILION_JWT_JWKS_URL, issuer, audience)."""

    issuer: str
    client_id: str
    scope: str = "openid"


@dataclass(frozen=True)
class ConsoleSettings:
    dist: Path
    oidc: OidcSettings | None = None

    @classmethod
    def from_env(cls) -> "ConsoleSettings":
        issuer = os.environ.get("PAVILION_CONSOLE_OIDC_ISSUER") or None
        client_id = os.environ.get("PAVILION_CONSOLE_OIDC_CLIENT_ID") or None
        if (issuer is None) != (client_id is None):
            names = "PAVILION_CONSOLE_OIDC_ISSUER and PAVILION_CONSOLE_OIDC_CLIENT_ID"
            raise ConfigError(f"set both {names}, or neither")
        oidc = None
        if issuer and client_id:
            scope = env_str("PAVILION_CONSOLE_OIDC_SCOPE", "openid")
            oidc = OidcSettings(issuer.rstrip("/"), client_id, scope)
        return cls(Path(env_str("PAVILION_CONSOLE_DIST", str(CONSOLE_DIST))), oidc)


def default_workers() -> int:
    """One API process per CPU this process may run on, at most four."""
    return max(1, min(4, len(os.sched_getaffinity(0))))


@dataclass(frozen=True)
class Config:
    database_url: str
    kafka: KafkaSettings
    topics: tuple[str, ...]
    group_id: str
    http_host: str
    http_port: int
    graphiql: bool
    introspection: bool
    exhibitors_url: str
    outreach_url: str
    notifications_url: str
    limits: Limits
    cache: CacheSettings
    workers: int  # API processes, each with its own LISTEN connection and cache
    news_file: str | None  # NEWS_FILE
    # A mail viewer's web address (Mailpit's, which `make run` runs): each sent email's
    # Notification links to the message there. Unset (production): no links.
    mail_viewer_url: str | None = None

    @classmethod
    def from_env(cls) -> "Config":
        topics = env_str("PAVILION_GATEWAY_TOPICS", TOPICS)
        workers = env_int("PAVILION_GATEWAY_WORKERS", default_workers())
        if workers < 1:
            raise ConfigError(f"PAVILION_GATEWAY_WORKERS must be at least 1, got {workers}")
        graphiql = _flag("PAVILION_GATEWAY_GRAPHIQL")
        return cls(
            database_url=database_url(SERVICE),
            kafka=KafkaSettings.from_env(),
            topics=tuple(t.strip() for t in topics.split(",") if t.strip()),
            group_id=env_str("PAVILION_GATEWAY_GROUP", "pavilion.gateway.projector"),
            http_host=env_str("PAVILION_GATEWAY_HOST", "127.0.0.1"),
            http_port=env_int("PAVILION_GATEWAY_PORT", 8000),
            graphiql=graphiql,
            introspection=graphiql or _flag("PAVILION_GATEWAY_INTROSPECTION"),
            exhibitors_url=service_url("exhibitors", 8001),
            outreach_url=service_url("outreach", 8002),
            notifications_url=service_url("notifications", 8003),
            limits=Limits.from_env(),
            cache=CacheSettings.from_env(),
            workers=workers,
            news_file=os.environ.get(NEWS_FILE) or None,
            mail_viewer_url=_mail_viewer_url(),
        )


def _mail_viewer_url() -> str | None:
    url = os.environ.get("PAVILION_MAIL_VIEWER_URL", "").rstrip("/")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            "PAVILION_MAIL_VIEWER_URL must be an http(s) URL with a host and no query or "
            f"fragment (the message's search is added to it), got {url!r}"
        )
    return url


def _flag(name: str) -> bool:
    return env_str(name, "false").lower() in ("1", "true", "yes")
