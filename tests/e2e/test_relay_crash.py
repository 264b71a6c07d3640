"""The relay process killed with SIGKILL while it publishes, then started again:
no event is missing from Kafka and each stream still arrives in version order."""

import asyncio
import os
import sys
from collections import defaultdict

from aiokafka import ConsumerRecord
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import Metadata, NewEvent, header_attributes
from pavilion_core.pgstore import EventStore

from tests.support import eventually, read_topic, topic_size

STREAMS, PER_STREAM = 200, 150  # 30,000 events


async def start_relay(store_url: str, topic: str) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "PAVILION_EXHIBITORS_DATABASE_URL": store_url,
        "PAVILION_EXHIBITORS_TOPIC": topic,
        "PAVILION_EXHIBITORS_RELAY_BATCH": "100",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "exhibitors",
        "relay",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_relay_killed_while_publishing_loses_nothing(
    store: EventStore,
    store_url: str,
    kafka: KafkaSettings,
    topic: str,
):
    meta = Metadata(correlation_id="crash-test")
    written: set[str] = set()
    for s in range(STREAMS):
        result = await store.append(
            f"crash-{s}",
            [NewEvent("Counted", {"i": i}) for i in range(PER_STREAM)],
            expected_version=0,
            metadata=meta,
        )
        written.update(result.event_ids)

    first = await start_relay(store_url, topic)
    await eventually(lambda: _more_than(kafka, topic, 3000), what="relay publishing")
    first.kill()
    await first.wait()
    published_before_kill = await topic_size(kafka, topic)
    assert published_before_kill < len(written), "the relay finished before it was killed"

    second = await start_relay(store_url, topic)
    try:
        messages = await read_topic(
            kafka,
            topic,
            lambda m: len({header_attributes(x.headers)["ce_id"] for x in ours(m)}) >= len(written),
            within=120,
        )
    finally:
        second.terminate()
        assert await asyncio.wait_for(second.wait(), 20) == 0
    messages = ours(messages)

    assert {header_attributes(m.headers)["ce_id"] for m in messages} == written
    first_seen: dict[str, list[int]] = defaultdict(list)
    seen_ids: set[str] = set()
    for m in sorted(messages, key=lambda m: (m.partition, m.offset)):
        attrs = header_attributes(m.headers)
        if attrs["ce_id"] not in seen_ids:
            seen_ids.add(attrs["ce_id"])
            first_seen[attrs["ce_subject"]].append(int(attrs["ce_streamversion"]))
    assert all(v == list(range(1, PER_STREAM + 1)) for v in first_seen.values())


def ours(messages: list[ConsumerRecord]) -> list[ConsumerRecord]:
    """The test's events: not the editions the service seeds as it starts."""
    return [m for m in messages if header_attributes(m.headers)["ce_subject"].startswith("crash-")]


async def _more_than(kafka: KafkaSettings, topic: str, n: int) -> bool:
    return await topic_size(kafka, topic) > n
