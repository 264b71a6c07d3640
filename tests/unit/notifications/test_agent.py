"""The faust agent, fast, with faust's test_context(): CloudEvents reach the handler
in order, a poison message is parked with a notice on the DLQ — and the later messages
of its record with it — while the next record still arrives, the handler is made once,
and an outage (the database away, even when the handler is first made) is waited out:
nothing parked, nothing skipped."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import asyncpg
from aiokafka import ConsumerRecord
from notifications.app import create_app
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import (
    CloudEvent,
    DecodeError,
    Headers,
    RecordedEvent,
    from_kafka,
    to_kafka,
)
from pavilion_core.outages import Backoff

from tests.support import eventually


def record(n: int) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    kafka = to_kafka(
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=f"app-{n}",
            version=1,
            position=n,
            type="ApplicationApproved",
            schema_version=1,
            data={"applicationId": f"app-{n}"},
            metadata={"correlation_id": "c", "actor": "t"},
            recorded_at=datetime.now(UTC),
        ),
        "exhibitors",
    )
    return kafka.key, kafka.value, kafka.headers


class Parks:
    """Parking as the handler keeps it, in memory; messages decoded with nothing sealed
    in them (the real handler unseals through the vault)."""

    def __init__(self) -> None:
        self.parked: list[tuple[ConsumerRecord, Exception | None]] = []

    async def decode(self, value: bytes | None, headers: Headers) -> CloudEvent:
        return from_kafka(value, headers)

    async def decode_all(self, messages: Sequence[ConsumerRecord]) -> list[CloudEvent | Exception]:
        decoded: list[CloudEvent | Exception] = []
        for m in messages:
            try:
                decoded.append(from_kafka(m.value, m.headers))
            except DecodeError as exc:
                decoded.append(exc)
        return decoded

    async def handle(self, event: CloudEvent) -> None:
        raise NotImplementedError

    async def handle_all(self, events: Sequence[CloudEvent]) -> None:
        for event in events:  # a failure comes before the first is kept, in these tests
            await self.handle(event)

    async def any_held(self, messages: Sequence[ConsumerRecord]) -> bool:
        return any((p.topic, p.key) == (m.topic, m.key) for p, _ in self.parked for m in messages)

    async def park_if_held(self, message: ConsumerRecord) -> bool:
        held = any((p.topic, p.key) == (message.topic, message.key) for p, _ in self.parked)
        if held:
            self.parked.append((message, None))
        return held

    async def park(self, message: ConsumerRecord, error: Exception | None) -> None:
        self.parked.append((message, error))

    async def redrive(self) -> int:
        return 0


async def test_events_reach_the_handler_and_poison_is_parked_with_its_record() -> None:
    seen: list[CloudEvent] = []
    dead: list[tuple[str, bytes | None, dict[str, bytes]]] = []
    made = 0

    async def handle(event: CloudEvent) -> None:
        seen.append(event)

    class Handler(Parks):
        async def handle(self, event: CloudEvent) -> None:
            await handle(event)

        async def fire_reminders(self) -> int:
            return 0

        async def send_mail(self) -> int:
            return 0

    handler = Handler()

    async def make() -> Handler:
        nonlocal made
        made += 1
        return handler

    async def dead_letter(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        dead.append((topic, value, dict(headers)))

    _, agent = create_app(
        KafkaSettings("localhost:1", 1, 1),
        ["pavilion.exhibitors.v1"],
        make,
        dead_letter=dead_letter,
    )
    async with agent.test_context() as context:
        for n in (1, 2):
            key, value, headers = record(n)
            await context.put(value, key=key, headers=headers)
        await context.put(b"{not a cloudevent", key=b"x", headers=[])
        key, value, headers = record(3)
        await context.put(value, key=key, headers=headers)
        await context.put(value, key=b"x", headers=headers)  # waits behind x's poison

        async def done() -> bool:  # the last batch waits up to BATCH_WAIT_SECONDS to fill
            return len(seen) == 3 and len(handler.parked) == 2

        await eventually(done, within=5, what="every message handled or parked")

    assert [e.subject for e in seen] == ["app-1", "app-2", "app-3"]
    assert made == 1
    [(_, value, headers)] = dead
    assert value == b"{not a cloudevent"
    assert headers["dlq_error_type"] == b"DecodeError"
    [(poison, error), (behind, none)] = handler.parked
    assert (poison.value, type(error).__name__) == (b"{not a cloudevent", "DecodeError")
    assert (behind.key, none) == (b"x", None)


async def test_an_outage_is_waited_out_without_dead_letters() -> None:
    outages = [OSError("connection refused"), asyncpg.CannotConnectNowError("starting up")]
    seen: list[str] = []
    dead: list[bytes | None] = []

    class Flaky(Parks):
        async def handle(self, event: CloudEvent) -> None:
            if outages:
                raise outages.pop(0)
            seen.append(event.subject)

        async def fire_reminders(self) -> int:
            return 0

        async def send_mail(self) -> int:
            return 0

    down = [ConnectionRefusedError("no database yet")]

    async def make() -> Flaky:
        if down:
            raise down.pop()
        return Flaky()

    async def dead_letter(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        dead.append(value)

    _, agent = create_app(
        KafkaSettings("localhost:1", 1, 1),
        ["pavilion.exhibitors.v1"],
        make,
        dead_letter=dead_letter,
        backoff=Backoff(first=0.01, cap=0.02),
    )
    async with agent.test_context() as context:
        for n in (1, 2):
            key, value, headers = record(n)
            await context.put(value, key=key, headers=headers)

        async def done() -> bool:
            return len(seen) == 2

        await eventually(done, within=5, what="both handled once the outages are over")

    assert seen == ["app-1", "app-2"]
    assert (outages, down, dead) == ([], [], [])
