"""The gateway's settings, from the environment."""

from dataclasses import dataclass

from pavilion_core.config import KafkaSettings, database_url, env_int, env_str

SERVICE = "gateway"


@dataclass(frozen=True)
class Config:
    database_url: str
    kafka: KafkaSettings
    topics: tuple[str, ...]
    group_id: str
    http_host: str
    http_port: int
    graphiql: bool

    @classmethod
    def from_env(cls) -> "Config":
        topics = env_str("PAVILION_GATEWAY_TOPICS", "pavilion.exhibitors.v1")
        return cls(
            database_url=database_url(SERVICE),
            kafka=KafkaSettings.from_env(),
            topics=tuple(t.strip() for t in topics.split(",") if t.strip()),
            group_id=env_str("PAVILION_GATEWAY_GROUP", "pavilion.gateway.projector"),
            http_host=env_str("PAVILION_GATEWAY_HOST", "127.0.0.1"),
            http_port=env_int("PAVILION_GATEWAY_PORT", 8000),
            graphiql=env_str("PAVILION_GATEWAY_GRAPHIQL", "false").lower() == "true",
        )
