"""Settings from the environment, with localhost defaults that match deploy/env.sh.

Nothing here connects to anything; services read their settings once in bootstrap.
"""

import os
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from pavilion_core.errors import ConfigError
from pavilion_core.secrets import check_database_url, check_password

__all__ = [
    "ConfigError",
    "KafkaSettings",
    "database_url",
    "env_int",
    "env_str",
    "idempotency_retention",
    "service_url",
    "vault_url",
]

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:19092"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:55432"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None


def database_url(service: str) -> str:
    """`PAVILION_<SERVICE>_DATABASE_URL`, else database `pavilion_<service>` on PAVILION_PG_URL."""
    name = f"PAVILION_{service.upper()}_DATABASE_URL"
    if explicit := os.environ.get(name):
        check_database_url(name, explicit)
        return explicit
    server = env_str("PAVILION_PG_URL", DEFAULT_PG_URL).rstrip("/")
    check_database_url("PAVILION_PG_URL", server)
    return f"{server}/pavilion_{service}"


def vault_url(own_database_url: str) -> str:
    """`PAVILION_VAULT_DATABASE_URL`, else the vault beside a process's own database: on
    the same server, as the same role, the database named like its own with `vault` for
    its last part (`pavilion_outreach` → `pavilion_vault`)."""
    if explicit := os.environ.get("PAVILION_VAULT_DATABASE_URL"):
        check_database_url("PAVILION_VAULT_DATABASE_URL", explicit)
        return explicit
    own = urlsplit(own_database_url)
    name = own.path.lstrip("/")
    prefix = name.rsplit("_", 1)[0] if "_" in name else "pavilion"
    return urlunsplit(own._replace(path=f"/{prefix}_vault"))


def service_url(service: str, port: int) -> str:
    """`PAVILION_<SERVICE>_URL`: where a service's HTTP API answers (default: this host)."""
    return env_str(f"PAVILION_{service.upper()}_URL", f"http://127.0.0.1:{port}").rstrip("/")


def idempotency_retention() -> timedelta:
    """`PAVILION_IDEMPOTENCY_RETENTION_HOURS` (default 24): how long a command's
    idempotency key answers its retries; after that the same key is a new request."""
    hours = env_int("PAVILION_IDEMPOTENCY_RETENTION_HOURS", 24)
    if hours < 1:
        raise ConfigError(f"PAVILION_IDEMPOTENCY_RETENTION_HOURS must be at least 1, got {hours}")
    return timedelta(hours=hours)


SECURITY_PROTOCOLS = ("PLAINTEXT", "SASL_PLAINTEXT")
SASL_MECHANISMS = ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")


@dataclass(frozen=True)
class KafkaSettings:
    """Where the brokers are, how to authenticate to them, how to make topics.
    `security_protocol` SASL_PLAINTEXT needs `username` and `password` (the process's
    principal: PAVILION_KAFKA_USERNAME / PAVILION_KAFKA_PASSWORD)."""

    bootstrap: str
    partitions: int
    replication: int
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str = "SCRAM-SHA-512"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.security_protocol not in SECURITY_PROTOCOLS:
            raise ConfigError(
                f"PAVILION_KAFKA_SECURITY_PROTOCOL must be one of {', '.join(SECURITY_PROTOCOLS)},"
                f" got {self.security_protocol!r}"
            )
        if self.sasl_mechanism not in SASL_MECHANISMS:
            raise ConfigError(
                f"PAVILION_KAFKA_SASL_MECHANISM must be one of {', '.join(SASL_MECHANISMS)},"
                f" got {self.sasl_mechanism!r}"
            )
        if self.sasl and not (self.username and self.password):
            raise ConfigError(
                f"PAVILION_KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs"
                " PAVILION_KAFKA_USERNAME and PAVILION_KAFKA_PASSWORD"
            )

    @property
    def sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @classmethod
    def from_env(cls) -> "KafkaSettings":
        password = os.environ.get("PAVILION_KAFKA_PASSWORD") or None
        if password is not None:
            check_password("PAVILION_KAFKA_PASSWORD", password)
        return cls(
            bootstrap=env_str("PAVILION_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP),
            partitions=env_int("PAVILION_KAFKA_PARTITIONS", 6),
            replication=env_int("PAVILION_KAFKA_REPLICATION", 1),
            security_protocol=env_str("PAVILION_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT"),
            sasl_mechanism=env_str("PAVILION_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            username=os.environ.get("PAVILION_KAFKA_USERNAME") or None,
            password=password,
        )

    def client_options(self) -> dict[str, str]:
        """The keyword arguments every aiokafka client (producer, consumer, admin) takes
        to reach and authenticate to the brokers."""
        options = {"bootstrap_servers": self.bootstrap, "security_protocol": self.security_protocol}
        if self.sasl:
            assert self.username and self.password  # __post_init__
            options |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.username,
                "sasl_plain_password": self.password,
            }
        return options
