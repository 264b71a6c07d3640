"""Webhooks per Standard Webhooks: signed deliveries (`webhook-id`, `webhook-timestamp`,
`webhook-signature` = HMAC-SHA256 over `id.timestamp.body`), endpoints that subscribe
to event types with wildcards, retries with exponential backoff and jitter, and a
URL policy that refuses private and loopback addresses unless allowed."""

import base64
import fnmatch
import ipaddress
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from pavilion_core.errors import InvalidValue
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
# Standard Webhooks' suggested schedule: about 27 hours from the first attempt.
DEFAULT_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, delivery_id: str, at: datetime, body: str) -> dict[str, str]:
    """The headers of one attempt; the id is the same on every attempt."""
    signature = Webhook(secret.removeprefix(SECRET_PREFIX)).sign(delivery_id, at, body)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def subscribed(patterns: Iterable[str], event_type: str) -> bool:
    """`pavilion.exhibitors.*` matches every exhibitors event; `*` everything."""
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)


@dataclass(frozen=True)
class RetrySchedule:
    """After attempt n fails, wait delays[n-1] (± jitter); past the last, abandon."""

    delays: Sequence[timedelta] = DEFAULT_SCHEDULE
    jitter: float = 0.2

    def next_attempt(
        self, failed_attempts: int, now: datetime, rng: random.Random | None = None
    ) -> datetime | None:
        if failed_attempts > len(self.delays):
            return None
        delay = self.delays[failed_attempts - 1]
        spread = (rng or random.Random()).uniform(-self.jitter, self.jitter)
        return now + delay * (1 + spread)

    @classmethod
    def parse(cls, text: str) -> "RetrySchedule":
        """From seconds separated by commas, e.g. "5,300,1800" (configuration)."""
        try:
            delays = [timedelta(seconds=float(part)) for part in text.split(",") if part.strip()]
        except ValueError:
            raise InvalidValue("schedule", f"not a list of seconds: {text!r}") from None
        if not delays or any(d.total_seconds() < 0 for d in delays):
            raise InvalidValue("schedule", f"needs at least one non-negative delay: {text!r}")
        return cls(tuple(delays))


def check_url(url: str, addresses: Iterable[str], *, allow_private: bool) -> None:
    """Only http(s); every address the host resolves to must be public unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidValue("url", f"{url!r} is not an http(s) URL")
    if allow_private:
        return
    for address in addresses:
        ip = ipaddress.ip_address(address)
        if not ip.is_global or ip.is_multicast:
            raise InvalidValue("url", f"{parts.hostname} resolves to {ip}, which is not public")
