"""What the operator CLI talks to, from the same environment the services read."""

from pavilion_core.config import env_str, service_url

PORTS = {"gateway": 8000, "exhibitors": 8001, "outreach": 8002, "notifications": 8003}
RELAYED = ("exhibitors", "outreach", "notifications")  # the services with an outbox
CONSUMING = ("gateway", "exhibitors", "outreach", "notifications")  # consumer groups' homes


def url(service: str) -> str:
    return service_url(service, PORTS[service])


def topic(service: str) -> str:
    return env_str(f"PAVILION_{service.upper()}_TOPIC", f"pavilion.{service}.v1")
