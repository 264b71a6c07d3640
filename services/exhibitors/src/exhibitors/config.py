"""The exhibitors service's settings, from the environment."""

from dataclasses import dataclass

from pavilion_core.config import KafkaSettings, database_url, env_int, env_str

SERVICE = "exhibitors"


@dataclass(frozen=True)
class Config:
    database_url: str
    kafka: KafkaSettings
    topic: str
    http_host: str
    http_port: int
    relay_batch_size: int

    @classmethod
    def from_env(cls) -> "Config":
        return cls(
            database_url=database_url(SERVICE),
            kafka=KafkaSettings.from_env(),
            topic=env_str("PAVILION_EXHIBITORS_TOPIC", "pavilion.exhibitors.v1"),
            http_host=env_str("PAVILION_EXHIBITORS_HOST", "127.0.0.1"),
            http_port=env_int("PAVILION_EXHIBITORS_PORT", 8001),
            relay_batch_size=env_int("PAVILION_EXHIBITORS_RELAY_BATCH", 1000),
        )
