"""The consumer loop rides out a failing database: its connections cut again and again,
at any moment: mid-batch, mid-seek, mid-commit. It keeps running, waiting a backoff
between attempts, and once the database is left alone it has applied every message
exactly once."""

import asyncio
import uuid

import asyncpg
import pytest
from gateway.readmodel import read_current
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.outages import Backoff

from tests.integration.consumer_support import RETRYING, Start, add_applications, applications
from tests.integration.consumer_support import logged as logged_times
from tests.integration.test_consumer import consumed, submitted_record
from tests.support import eventually


async def test_the_loop_rides_out_a_failing_database_and_applies_each_message_once(
    read_model_url: str,
    read_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    topic: str,
    start: Start,
    caplog: pytest.LogCaptureFixture,
):
    doomed = f"doomed-{uuid.uuid4().hex[:8]}"
    pool = await asyncpg.create_pool(
        read_model_url,
        min_size=1,
        max_size=2,
        setup=read_current,
        server_settings={"application_name": doomed},
    )
    await add_applications(read_pool)
    await publisher.publish(topic, [submitted_record(f"Before {i}") for i in range(20)])
    group = f"g-{uuid.uuid4()}"
    fast = Backoff(first=0.05, cap=0.4)
    instance = start("A", pool, group, batch_size=5, backoff=fast)
    cutting = asyncio.create_task(_cut_connections(read_pool, doomed))
    try:
        await publisher.publish(topic, [submitted_record(f"During {i}") for i in range(20)])
        await eventually(lambda: _retried(caplog, times=8), within=60, what="retries")
        assert not instance.task.done()
    finally:
        cutting.cancel()
    await eventually(lambda: consumed(read_pool, group, 40), within=30, what="all applied")
    await instance.stopped()
    await pool.close()

    assert await read_pool.fetchval("SELECT count(*) FROM exhibitors") == 40
    assert await applications(read_pool) == (40, 40)


async def _cut_connections(pool: asyncpg.Pool, application: str) -> None:
    """Terminate the sessions of `application` every few milliseconds until cancelled."""
    while True:
        await pool.execute(
            """SELECT pg_terminate_backend(pid) FROM pg_stat_activity
               WHERE application_name = $1""",
            application,
        )
        await asyncio.sleep(0.02)  # the pace of the fault, not a wait for a condition


async def _retried(caplog: pytest.LogCaptureFixture, times: int) -> bool:
    return logged_times(caplog, RETRYING) >= times
