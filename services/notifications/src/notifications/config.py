"""The notifications service's settings, from the environment."""

import os
from dataclasses import dataclass, field
from datetime import timedelta

from pavilion_core.clock import Clock, clock_from_env
from pavilion_core.config import (
    ConfigError,
    KafkaSettings,
    database_url,
    env_int,
    env_str,
    idempotency_retention,
)
from pavilion_core.eventstore import KEY_RETENTION

from notifications.webhooks import IPNetwork, parse_networks

SERVICE = "notifications"
UNSUBSCRIBE_SECRET = "PAVILION_UNSUBSCRIBE_SECRET"


@dataclass(frozen=True)
class Config:
    database_url: str
    kafka: KafkaSettings
    topic: str = "pavilion.notifications.v1"
    source_topics: tuple[str, ...] = ("pavilion.exhibitors.v1", "pavilion.outreach.v1")
    app_id: str = "pavilion-notifications"
    relay_batch_size: int = 500
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 11025
    smtp_timeout_seconds: float = 30.0  # one attempt, from connecting to the reply to DATA
    # transient failures (4xx, the network) are retried after first, twice that, … up to cap
    # (each ±20 %), at most mail_attempts attempts in all: about an hour by default
    mail_attempts: int = 8
    mail_retry_seconds: float = 30.0
    mail_retry_cap_seconds: float = 1800.0
    sender_name: str = "CISCE Organising Committee"
    sender_address: str = "expo@pavilion.local"
    postal_address: str = "Exhibition Department, 1 Fuxingmennei Street, Beijing 100860, China"
    staff_domain: str = "staff.pavilion.local"
    public_url: str = "http://127.0.0.1:8004"  # where unsubscribe links point
    unsubscribe_secret: str = ""  # empty: PAVILION_UNSUBSCRIBE_SECRET (bootstrap checks it)
    webhook_schedule: str = ""  # seconds, comma-separated; empty = the default (~27 h)
    # networks webhooks may reach besides public addresses (e.g. 127.0.0.0/8 in tests)
    webhooks_allowed_networks: tuple[IPNetwork, ...] = ()
    webhook_deadline_seconds: float = 10.0  # one attempt, from DNS to the body's end
    http_host: str = "127.0.0.1"
    http_port: int = 8003
    public_host: str = "127.0.0.1"  # the public app: unsubscribe pages only
    public_port: int = 8004
    idempotency_retention: timedelta = KEY_RETENTION
    clock: Clock = field(default_factory=clock_from_env)

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            database_url=database_url(SERVICE),
            kafka=KafkaSettings.from_env(),
            idempotency_retention=idempotency_retention(),
            topic=env_str("PAVILION_NOTIFICATIONS_TOPIC", cls.topic),
            source_topics=(
                env_str("PAVILION_EXHIBITORS_TOPIC", cls.source_topics[0]),
                env_str("PAVILION_OUTREACH_TOPIC", cls.source_topics[1]),
            ),
            app_id=env_str("PAVILION_NOTIFICATIONS_APP_ID", cls.app_id),
            smtp_host=env_str("PAVILION_SMTP_HOST", cls.smtp_host),
            smtp_port=env_int("PAVILION_SMTP_PORT", cls.smtp_port),
            smtp_timeout_seconds=_seconds("PAVILION_SMTP_TIMEOUT_SECONDS", 30.0),
            mail_attempts=_attempts("PAVILION_MAIL_ATTEMPTS", cls.mail_attempts),
            mail_retry_seconds=_seconds("PAVILION_MAIL_RETRY_SECONDS", 30.0),
            mail_retry_cap_seconds=_seconds("PAVILION_MAIL_RETRY_CAP_SECONDS", 1800.0),
            sender_name=env_str("PAVILION_MAIL_SENDER_NAME", cls.sender_name),
            sender_address=env_str("PAVILION_MAIL_SENDER_ADDRESS", cls.sender_address),
            postal_address=env_str("PAVILION_MAIL_POSTAL_ADDRESS", cls.postal_address),
            staff_domain=env_str("PAVILION_STAFF_MAIL_DOMAIN", cls.staff_domain),
            public_url=env_str("PAVILION_NOTIFICATIONS_PUBLIC_URL", cls.public_url),
            unsubscribe_secret=env_str(UNSUBSCRIBE_SECRET, ""),
            webhook_schedule=env_str("PAVILION_WEBHOOK_SCHEDULE", ""),
            webhooks_allowed_networks=_networks("PAVILION_WEBHOOKS_ALLOWED_NETWORKS"),
            webhook_deadline_seconds=_seconds("PAVILION_WEBHOOK_DEADLINE_SECONDS", 10.0),
            http_host=env_str("PAVILION_NOTIFICATIONS_HOST", cls.http_host),
            http_port=env_int("PAVILION_NOTIFICATIONS_PORT", cls.http_port),
            public_host=env_str("PAVILION_NOTIFICATIONS_PUBLIC_HOST", cls.public_host),
            public_port=env_int("PAVILION_NOTIFICATIONS_PUBLIC_PORT", cls.public_port),
        )


def _networks(name: str) -> tuple[IPNetwork, ...]:
    try:
        return parse_networks(os.environ.get(name, ""))
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from None


def _attempts(name: str, default: int) -> int:
    attempts = env_int(name, default)
    if attempts < 1:
        raise ConfigError(f"{name} must be at least 1, got {attempts}")
    return attempts


def _seconds(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ConfigError(f"{name} must be a positive number of seconds, got {raw!r}")
    return seconds
