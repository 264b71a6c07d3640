"""The integrator kit's consumer against the real Kafka: offsets are committed only
after the handler returned, so a handler that fails stops the consumer and the next
run of the group starts again at the event that failed, not before it nor after it."""

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import RecordedEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher
from pavilion_kit import Consumer, Envelope, Event, Forgotten
from pavilion_kit.consumer import Handler


def approved(n: int) -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid.uuid4(),
        stream_id="app-1",
        version=n,
        position=n,
        type="ApplicationApproved",
        schema_version=1,
        data={"applicationId": "app-1"},
        metadata={"correlation_id": "c"},
        recorded_at=datetime.now(UTC),
    )


async def test_a_failed_handler_leaves_its_event_uncommitted_and_the_next_run_starts_there(
    kafka: KafkaSettings, topic: str, publisher: KafkaPublisher
):
    events = [approved(n) for n in (1, 2, 3)]
    await publisher.publish(topic, [to_kafka(e, "exhibitors") for e in events])
    group = f"integrator.{uuid.uuid4().hex[:8]}"
    handled: list[int] = []
    stop = asyncio.Event()

    async def failing_on_the_second(envelope: Envelope, event: Event) -> None:
        if envelope.stream_version == 2:
            raise RuntimeError("the integrator's store is down")
        handled.append(envelope.stream_version)

    async def recording(envelope: Envelope, event: Event) -> None:
        handled.append(envelope.stream_version)
        if envelope.stream_version == 3:
            stop.set()

    async def forgotten(envelope: Envelope, event: Forgotten) -> None:
        raise AssertionError("no one was forgotten")

    def consumer(on_event: Handler) -> Consumer:
        return Consumer(
            topic,
            group_id=group,
            on_event=on_event,
            on_contact_forgotten=forgotten,
            bootstrap_servers=kafka.bootstrap,
        )

    with pytest.raises(RuntimeError, match="store is down"):
        await asyncio.wait_for(consumer(failing_on_the_second).run(), timeout=60)
    assert handled == [1]
    await asyncio.wait_for(consumer(recording).run(stop), timeout=60)
    assert handled == [1, 2, 3]  # 1 was committed; 2, which failed, came again
