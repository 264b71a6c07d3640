"""The clock port. Services read time through it so tests can fix it, and demos and
training runs can replay a story at its own dates (PAVILION_SIMULATED_START, from the
real instant PAVILION_SIMULATED_SINCE: every process given both tells the same time,
and a process restarted by its supervisor goes on where it was, not back to the start).

A simulated clock is for development and demos only: outside dev mode
(PAVILION_ENV=dev) a process given PAVILION_SIMULATED_START refuses to start, and
so does one given it without PAVILION_SIMULATED_SINCE (each restart would begin the
story again, at the same instant)."""

from datetime import UTC, datetime, timedelta
from typing import Protocol

from pavilion_core.config import ConfigError, env_str
from pavilion_core.secrets import dev_mode


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class SimulatedClock:
    """Time that runs at normal speed from `start`, counted from the real instant
    `since` (by default, when the clock was made)."""

    def __init__(self, start: datetime, since: datetime | None = None) -> None:
        self.start, self.since = start, since or datetime.now(UTC)

    def now(self) -> datetime:
        return self.start + (datetime.now(UTC) - self.since)


def happened_at(clock: Clock, instant: datetime) -> datetime:
    """When a real `instant` (an event's time, stamped by PostgreSQL's real clock)
    happened on `clock`'s time line: as long before its now as it is before the real
    now. The instant itself on the system clock, the story's time on a simulated one."""
    return clock.now() - max(datetime.now(UTC) - instant, timedelta(0))


def clock_from_env() -> Clock:
    """The system clock, or in dev mode the simulated one the environment asks for."""
    start = _instant("PAVILION_SIMULATED_START")
    if start is None:
        return SystemClock()
    if not dev_mode():
        raise ConfigError(
            "PAVILION_SIMULATED_START plays a story on a simulated clock, for development and "
            "demos only: unset it, or set PAVILION_ENV=dev"
        )
    since = _instant("PAVILION_SIMULATED_SINCE")
    if since is None:
        raise ConfigError(
            "PAVILION_SIMULATED_START needs PAVILION_SIMULATED_SINCE, the real instant the "
            "story began (e.g. 2026-12-01T09:00:00Z, the same for every process and "
            "restart): without it each restart would begin the story again"
        )
    return SimulatedClock(start, since)


def _instant(variable: str) -> datetime | None:
    raw = env_str(variable, "")
    if not raw:
        return None
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{variable} must be an ISO 8601 instant, got {raw!r}") from None
    if instant.tzinfo is None:
        raise ConfigError(f"{variable} needs a timezone, e.g. 2025-12-01T00:00:00Z")
    return instant.astimezone(UTC)
