"""What every benchmark shares: a figure with its unit, the baseline it is measured
against, and latency percentiles."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    target: str = ""
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / self.baseline_value


def latency(load: dict[str, float]) -> dict[str, float]:
    """The latency figures of a load run, rounded for the table."""
    return {k: round(load[k], 2) for k in ("p50_ms", "p99_ms", "mean_ms")}


def percentile(samples: list[float], p: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def until(
    probe: Callable[[], Awaitable[bool]], within: float, interval: float = 0.01
) -> None:
    """Wait for `probe` to hold, checking every `interval` s; TimeoutError after `within`."""
    deadline = time.monotonic() + within
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not met within {within} s")
        await asyncio.sleep(interval)
