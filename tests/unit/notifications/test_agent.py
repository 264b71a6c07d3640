"""The faust agent, fast, with faust's test_context(): CloudEvents reach the handler
in order, a poison message is dead-lettered with its error and the next one still
arrives, the handler is made once, and an outage (the database away, even when the
handler is first made) is waited out: nothing dead-lettered, nothing skipped."""

import uuid
from datetime import UTC, datetime

import asyncpg
from notifications.app import create_app
from pavilion_core.envelope import CloudEvent, RecordedEvent, to_kafka
from pavilion_core.outages import Backoff


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


async def test_events_reach_the_handler_and_poison_is_dead_lettered() -> None:
    seen: list[CloudEvent] = []
    dead: list[tuple[str, bytes | None, dict[str, bytes]]] = []
    made = 0

    async def handle(event: CloudEvent) -> None:
        seen.append(event)

    class Handler:
        async def handle(self, event: CloudEvent) -> None:
            await handle(event)

        async def fire_reminders(self) -> int:
            return 0

        async def send_mail(self) -> int:
            return 0

    async def make() -> Handler:
        nonlocal made
        made += 1
        return Handler()

    async def dead_letter(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        dead.append((topic, value, dict(headers)))

    _, agent = create_app(
        "localhost:1",
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

    assert [e.subject for e in seen] == ["app-1", "app-2", "app-3"]
    assert made == 1
    [(_, value, headers)] = dead
    assert value == b"{not a cloudevent"
    assert headers["dlq_error_type"] == b"DecodeError"


async def test_an_outage_is_waited_out_without_dead_letters() -> None:
    outages = [OSError("connection refused"), asyncpg.CannotConnectNowError("starting up")]
    seen: list[str] = []
    dead: list[bytes | None] = []

    class Flaky:
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
        "localhost:1",
        ["pavilion.exhibitors.v1"],
        make,
        dead_letter=dead_letter,
        backoff=Backoff(first=0.01, cap=0.02),
    )
    async with agent.test_context() as context:
        for n in (1, 2):
            key, value, headers = record(n)
            await context.put(value, key=key, headers=headers)

    assert seen == ["app-1", "app-2"]
    assert (outages, down, dead) == ([], [], [])
