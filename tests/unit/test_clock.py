"""The simulated clock: processes given the same start and anchor tell the same time,
and one made later (a restarted process) does not go back to the start."""

import os
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pavilion_core.clock import SimulatedClock, SystemClock, clock_from_env
from pavilion_core.errors import ConfigError

STORY = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[2]


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
    monkeypatch.delenv("PAVILION_SIMULATED_START")
    assert isinstance(clock_from_env(), SystemClock)


def test_a_story_without_its_anchor_is_refused_not_begun_again_at_each_restart(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("PAVILION_SIMULATED_START", "2025-12-01T09:00:00Z")
    monkeypatch.delenv("PAVILION_SIMULATED_SINCE", raising=False)
    with pytest.raises(ConfigError, match="needs PAVILION_SIMULATED_SINCE"):
        clock_from_env()


@pytest.mark.parametrize("env", ["production", "", "DEVELOPMENT"])
def test_a_simulated_clock_is_refused_outside_dev_mode(monkeypatch: pytest.MonkeyPatch, env: str):
    monkeypatch.setenv("PAVILION_ENV", env)
    monkeypatch.setenv("PAVILION_SIMULATED_START", "2025-12-01T09:00:00Z")
    monkeypatch.setenv("PAVILION_SIMULATED_SINCE", "2026-12-01T15:00:00Z")
    with pytest.raises(ConfigError, match=r"development and demos only.*PAVILION_ENV=dev"):
        clock_from_env()
    monkeypatch.delenv("PAVILION_SIMULATED_START")
    assert isinstance(clock_from_env(), SystemClock)  # the real clock needs no dev mode


def test_make_run_keeps_the_demos_day_in_its_state_directory_across_runs(tmp_path: Path):
    """deploy/demo-anchor.sh (sourced by deploy/run.sh): the first run writes today's
    date to $PAVILION_STATE_DIR/demo-anchor, every later run reads it back, so that the
    outreach demo loaded on a later day is the same scenario."""

    def run() -> str:
        script = f"source {ROOT / 'deploy/demo-anchor.sh'}; echo $PAVILION_DEMO_ANCHOR"
        env = {"PATH": os.environ["PATH"], "PAVILION_STATE_DIR": str(tmp_path / "state")}
        return subprocess.run(
            ["bash", "-c", script], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    first = date.fromisoformat(run())
    assert first in {datetime.now(UTC).date(), datetime.now(UTC).date() - timedelta(days=1)}
    (tmp_path / "state" / "demo-anchor").write_text("2026-11-30\n")  # an earlier first run
    assert run() == "2026-11-30"


@pytest.mark.parametrize("since", ["yesterday", "2026-12-01T15:00:00"])
def test_an_anchor_that_is_no_instant_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, since: str
):
    monkeypatch.setenv("PAVILION_SIMULATED_START", "2025-12-01T09:00:00Z")
    monkeypatch.setenv("PAVILION_SIMULATED_SINCE", since)
    with pytest.raises(ConfigError, match="PAVILION_SIMULATED_SINCE"):
        clock_from_env()
