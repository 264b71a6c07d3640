"""What every benchmark shares: a figure with its unit, the baseline it is measured
against, the rounds it is the median of, and latency percentiles."""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    target: str = ""
    extra: dict[str, float] = field(default_factory=dict)
    rounds: list[float] = field(default_factory=list)  # every round's value, in run order
    round_details: list[dict[str, float]] = field(default_factory=list)  # and its details

    @property
    def ratio(self) -> float | None:
        if self.baseline_value in (None, 0):
            return None
        return self.value / self.baseline_value

    @property
    def spread(self) -> tuple[float, float] | None:
        """The lowest and highest round, when there was more than one."""
        return (min(self.rounds), max(self.rounds)) if len(self.rounds) > 1 else None


Round = tuple[float, dict[str, float]]  # a round's value and its details


def median(name: str, unit: str, rounds: list[Round], target: str = "") -> Figure:
    """The figure of the median round (the lower middle one of an even count), with
    that round's details; every round's value and details are kept."""
    values = [value for value, _ in rounds]
    at = values.index(statistics.median_low(values))
    details = [extra for _, extra in rounds]
    return Figure(
        name,
        values[at],
        unit,
        target=target,
        extra=details[at],
        rounds=values,
        round_details=details,
    )


def middle(figures: list[Figure]) -> Figure:
    """The median of the same figure measured in several rounds, every round kept."""
    values = [f.value for f in figures]
    chosen = figures[values.index(statistics.median_low(values))]
    return replace(chosen, rounds=values, round_details=[f.extra for f in figures])


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
