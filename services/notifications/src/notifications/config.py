"""The notifications service's settings, from the environment."""

from dataclasses import dataclass, field

from pavilion_core.clock import Clock, clock_from_env
from pavilion_core.config import KafkaSettings, database_url, env_int, env_str

SERVICE = "notifications"


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
    sender_name: str = "CISCE Organising Committee"
    sender_address: str = "expo@pavilion.local"
    postal_address: str = "Exhibition Department, 1 Fuxingmennei Street, Beijing 100860, China"
    staff_domain: str = "staff.pavilion.local"
    public_url: str = "http://127.0.0.1:8003"
    unsubscribe_secret: str = "dev-only-unsubscribe-secret-change-me-please"
    webhook_schedule: str = ""  # seconds, comma-separated; empty = the default (~27 h)
    webhooks_allow_private: bool = False
    http_host: str = "127.0.0.1"
    http_port: int = 8003
    clock: Clock = field(default_factory=clock_from_env)

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            database_url=database_url(SERVICE),
            kafka=KafkaSettings.from_env(),
            topic=env_str("PAVILION_NOTIFICATIONS_TOPIC", cls.topic),
            source_topics=(
                env_str("PAVILION_EXHIBITORS_TOPIC", cls.source_topics[0]),
                env_str("PAVILION_OUTREACH_TOPIC", cls.source_topics[1]),
            ),
            app_id=env_str("PAVILION_NOTIFICATIONS_APP_ID", cls.app_id),
            smtp_host=env_str("PAVILION_SMTP_HOST", cls.smtp_host),
            smtp_port=env_int("PAVILION_SMTP_PORT", cls.smtp_port),
            sender_name=env_str("PAVILION_MAIL_SENDER_NAME", cls.sender_name),
            sender_address=env_str("PAVILION_MAIL_SENDER_ADDRESS", cls.sender_address),
            postal_address=env_str("PAVILION_MAIL_POSTAL_ADDRESS", cls.postal_address),
            staff_domain=env_str("PAVILION_STAFF_MAIL_DOMAIN", cls.staff_domain),
            public_url=env_str("PAVILION_NOTIFICATIONS_PUBLIC_URL", cls.public_url),
            unsubscribe_secret=env_str("PAVILION_UNSUBSCRIBE_SECRET", cls.unsubscribe_secret),
            webhook_schedule=env_str("PAVILION_WEBHOOK_SCHEDULE", ""),
            webhooks_allow_private=env_str("PAVILION_WEBHOOKS_ALLOW_PRIVATE", "false").lower()
            == "true",
            http_host=env_str("PAVILION_NOTIFICATIONS_HOST", cls.http_host),
            http_port=env_int("PAVILION_NOTIFICATIONS_PORT", cls.http_port),
        )
