"""The exhibitors service's settings, from the environment."""

from dataclasses import dataclass, field
from datetime import timedelta

from pavilion_core.clock import Clock, clock_from_env
from pavilion_core.config import (
    KafkaSettings,
    database_url,
    env_int,
    env_str,
    idempotency_retention,
)
from pavilion_core.eventstore import KEY_RETENTION

SERVICE = "exhibitors"


@dataclass(frozen=True)
class Config:
    database_url: str
    kafka: KafkaSettings
    topic: str = "pavilion.exhibitors.v1"
    outreach_topic: str = "pavilion.outreach.v1"
    reactor_group: str = "pavilion.exhibitors.reactor"
    http_host: str = "127.0.0.1"
    http_port: int = 8001
    relay_batch_size: int = 1000
    editions_file: str | None = None
    expiry_interval: int = 60  # seconds between two sweeps of expired re-booking offers
    idempotency_retention: timedelta = KEY_RETENTION
    clock: Clock = field(default_factory=clock_from_env)

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            database_url=database_url(SERVICE),
            kafka=KafkaSettings.from_env(),
            idempotency_retention=idempotency_retention(),
            topic=env_str("PAVILION_EXHIBITORS_TOPIC", cls.topic),
            outreach_topic=env_str("PAVILION_OUTREACH_TOPIC", cls.outreach_topic),
            reactor_group=env_str("PAVILION_EXHIBITORS_REACTOR_GROUP", cls.reactor_group),
            http_host=env_str("PAVILION_EXHIBITORS_HOST", cls.http_host),
            http_port=env_int("PAVILION_EXHIBITORS_PORT", cls.http_port),
            relay_batch_size=env_int("PAVILION_EXHIBITORS_RELAY_BATCH", cls.relay_batch_size),
            editions_file=env_str("PAVILION_EDITIONS_FILE", "") or None,
            expiry_interval=env_int("PAVILION_EXHIBITORS_EXPIRY_INTERVAL", cls.expiry_interval),
        )
