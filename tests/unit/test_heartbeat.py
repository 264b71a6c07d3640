"""A worker's event loop touches its heartbeat file while it runs (containers' health
checks read its age) and stops doing so when the worker stops."""

import asyncio
import time
from pathlib import Path

from pavilion_core import runner


async def test_a_running_worker_keeps_its_heartbeat_fresh(tmp_path: Path, monkeypatch):
    beat = tmp_path / "heartbeat"
    monkeypatch.setenv("PAVILION_HEARTBEAT_FILE", str(beat))
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.05)
    seen: list[float] = []

    async def work(stop: asyncio.Event) -> None:
        for _ in range(3):
            await asyncio.sleep(0.08)  # the worker's own work, not a wait on a condition
            seen.append(beat.stat().st_mtime)

    await runner.until_signalled(work)
    assert len(set(seen)) >= 2  # touched again while the worker ran
    assert time.time() - beat.stat().st_mtime < 5
