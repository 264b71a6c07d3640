"""Secrets from the environment, refused when they are not secret.

Outside dev mode (`PAVILION_ENV=dev` is dev mode; anything else, or nothing, is not) a
process that needs a secret refuses to start when it is missing, shorter than 32
characters, or one of the values this repository publishes: the development defaults
below and the placeholders of `.env.example` and the docs (a test keeps this list
complete). The message names the variable, never the value. In dev mode a missing
secret takes its development default, so `make run` needs no set-up.
"""

import os
from urllib.parse import urlsplit

from pavilion_core.errors import ConfigError

MIN_LENGTH = 32
# What `make run` and the tests use when nothing is set; published here, so never secret.
DEV_DEFAULTS = {
    "PAVILION_JWT_SECRET": "pavilion-dev-secret-not-for-production-use",
    "PAVILION_SERVICE_TOKEN_SECRET": "pavilion-dev-service-token-secret-not-for-production",
    "PAVILION_UNSUBSCRIBE_SECRET": "dev-only-unsubscribe-secret-change-me-please",
    "PAVILION_PSEUDONYM_SECRET": "dev-only-pseudonym-secret-not-for-production-use",
}
# The placeholders of .env.example and the docs (tests/unit/test_secrets.py finds them all).
PUBLISHED = frozenset(
    {
        *DEV_DEFAULTS.values(),
        "change-me",
        "change-me-to-a-long-random-secret-value",
        "change-me-to-another-long-random-secret",
        "change-me-to-a-third-long-random-secret",
        "change-me-to-a-fourth-long-random-secret",
        "change-me-exhibitors-db-password",
        "change-me-outreach-db-password",
        "change-me-notifications-db-password",
        "change-me-gateway-db-password",
        "change-me-registry-db-password",
        *(
            f"change-me-kafka-{principal}-password"
            for principal in (
                "admin",
                "exhibitors",
                "outreach",
                "notifications",
                "gateway",
                "integrator",
            )
        ),
    }
)


def dev_mode() -> bool:
    return os.environ.get("PAVILION_ENV", "").strip().lower() == "dev"


def secret(name: str) -> str:
    """The secret in `name`, checked; its development default in dev mode if unset."""
    value = os.environ.get(name, "")
    if not value and dev_mode() and name in DEV_DEFAULTS:
        return DEV_DEFAULTS[name]
    if not value:
        raise ConfigError(f"{name} is not set: it is required outside dev mode (PAVILION_ENV=dev)")
    check(name, value)
    return value


def check(name: str, value: str) -> None:
    """Refuse a published or short secret outside dev mode, naming the variable."""
    if dev_mode():
        return
    if value in PUBLISHED:
        raise ConfigError(
            f"{name} holds a value published in the repository (.env.example, the docs or "
            "a development default): set a secret of your own"
        )
    if len(value) < MIN_LENGTH:
        raise ConfigError(f"{name} must be at least {MIN_LENGTH} characters long")


def check_password(name: str, password: str) -> None:
    """A password (of a database, of a Kafka principal) that is a published one is
    refused outside dev mode; its length is the server's business."""
    if not dev_mode() and password in PUBLISHED:
        raise ConfigError(f"{name} holds a password published in the repository: set your own")


def check_database_url(name: str, url: str) -> None:
    """A database URL whose password is a published one is refused outside dev mode."""
    password = urlsplit(url).password
    if password is not None:
        check_password(name, password)
