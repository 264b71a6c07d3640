"""The clock port. Services read time through it so tests can fix it, and demos and
training runs can replay a story at its own dates (PAVILION_SIMULATED_START)."""

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pavilion_core.config import ConfigError, env_str


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """Time that runs at normal speed from `start`, counted from when it was made."""

    def __init__(self, start: datetime) -> None:
        self.start, self.origin = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.origin)


def clock_from_env() -> Clock:
    raw = env_str("PAVILION_SIMULATED_START", "")
    if not raw:
        return SystemClock()
    try:
        start = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"PAVILION_SIMULATED_START must be an ISO 8601 instant, got {raw!r}"
        ) from None
    if start.tzinfo is None:
        raise ConfigError("PAVILION_SIMULATED_START needs a timezone, e.g. 2025-12-01T00:00:00Z")
    return SimulatedClock(start.astimezone(UTC))
