"""pavilion_core.workers.every: a job run every so often, whose failed passes (an
outage, or a bug) are logged and tried again at the next pass, until stopped."""

import asyncio
import logging

import pytest
from pavilion_core.workers import every


async def test_a_failed_pass_is_logged_and_the_next_one_runs(caplog: pytest.LogCaptureFixture):
    stop, passes = asyncio.Event(), []

    async def job() -> None:
        passes.append(len(passes))
        if len(passes) == 1:
            raise ConnectionRefusedError("PostgreSQL is away")
        if len(passes) == 2:
            raise ValueError("a bug")
        stop.set()

    with caplog.at_level(logging.WARNING, logger="pavilion_core.workers"):
        await asyncio.wait_for(every(0.01, job, stop, what="test pass"), 5)
    assert passes == [0, 1, 2]
    outage, bug = caplog.records
    assert outage.levelno == logging.WARNING and outage.exc_info is None
    assert bug.levelno == logging.ERROR and bug.exc_info is not None
