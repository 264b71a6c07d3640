"""The simulated clock: processes given the same start and anchor tell the same time,
and one made later (a restarted process) does not go back to the start."""

from datetime import UTC, datetime, timedelta

import pytest
from pavilion_core.clock import SimulatedClock, SystemClock, clock_from_env
from pavilion_core.errors import ConfigError

STORY = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def test_a_clock_made_later_from_the_same_anchor_tells_the_same_time():
    since = datetime.now(UTC) - timedelta(minutes=3)  # the first process started then
    restarted = SimulatedClock(STORY, since)
    assert abs(restarted.now() - (STORY + timedelta(minutes=3))) < timedelta(seconds=1)


def test_the_anchor_and_start_come_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PAVILION_SIMULATED_START", "2025-12-01T09:00:00Z")
    monkeypatch.setenv("PAVILION_SIMULATED_SINCE", "2026-12-01T15:00:00+00:00")
    clock = clock_from_env()
    assert isinstance(clock, SimulatedClock)
    assert (clock.start, clock.since) == (STORY, datetime(2026, 12, 1, 15, tzinfo=UTC))
    monkeypatch.delenv("PAVILION_SIMULATED_SINCE")
    assert abs(clock_from_env().now() - STORY) < timedelta(seconds=1)  # from now on
    monkeypatch.delenv("PAVILION_SIMULATED_START")
    assert isinstance(clock_from_env(), SystemClock)


@pytest.mark.parametrize("since", ["yesterday", "2026-12-01T15:00:00"])
def test_an_anchor_that_is_no_instant_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, since: str
):
    monkeypatch.setenv("PAVILION_SIMULATED_START", "2025-12-01T09:00:00Z")
    monkeypatch.setenv("PAVILION_SIMULATED_SINCE", since)
    with pytest.raises(ConfigError, match="PAVILION_SIMULATED_SINCE"):
        clock_from_env()
