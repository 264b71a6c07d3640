"""Settings from the environment, with localhost defaults that match deploy/env.sh.

Nothing here connects to anything; services read their settings once in bootstrap.
"""

import os
from dataclasses import dataclass

DEFAULT_KAFKA_BOOTSTRAP = "127.0.0.1:19092"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:55432"


class ConfigError(ValueError):
    """A setting is present but unusable."""


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
    explicit = os.environ.get(f"PAVILION_{service.upper()}_DATABASE_URL")
    if explicit:
        return explicit
    return f"{env_str('PAVILION_PG_URL', DEFAULT_PG_URL).rstrip('/')}/pavilion_{service}"


def service_url(service: str, port: int) -> str:
    """`PAVILION_<SERVICE>_URL`: where a service's HTTP API answers (default: this host)."""
    return env_str(f"PAVILION_{service.upper()}_URL", f"http://127.0.0.1:{port}").rstrip("/")


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap: str
    partitions: int
    replication: int

    @classmethod
    def from_env(cls) -> "KafkaSettings":
        return cls(
            bootstrap=env_str("PAVILION_KAFKA_BOOTSTRAP", DEFAULT_KAFKA_BOOTSTRAP),
            partitions=env_int("PAVILION_KAFKA_PARTITIONS", 6),
            replication=env_int("PAVILION_KAFKA_REPLICATION", 1),
        )
