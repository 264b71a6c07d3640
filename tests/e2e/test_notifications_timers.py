"""What the running notifications processes do on their own time, against the real
broker, PostgreSQL, SMTP catcher and an HTTP endpoint: the worker's timer fires a
reminder when it is due (and its mail timer sends it); a webhook travels from the
worker's queue to the `webhooks` process, whose retries are spaced by the schedule."""

import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import asyncpg
import pytest
from notifications.endpoints import register_endpoint
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import KafkaPublisher
from starlette.requests import Request
from starlette.responses import Response

from tests.e2e.notifying import Workers, environment, fresh_topics
from tests.integration.webhook_support import ADMIN, LOCAL, Receiver, receiving
from tests.smtp_catcher import Mailbox
from tests.support import eventually, kafka_record, registered, scheduled

SCHEDULE = (1.0, 4.0)  # seconds before the 2nd and the 3rd attempt, each ± 20 %
POLL = 1.0  # the webhooks process looks for due deliveries this often when idle
SLACK = 1.0  # a busy machine's scheduling


@pytest.fixture
async def workers(
    notifications_url: str, kafka: KafkaSettings, mailbox: tuple[int, Mailbox], tmp_path: Path
) -> AsyncIterator[Workers]:
    """Processes on the real clock, reaching webhooks on loopback, on a short schedule."""
    env = environment(notifications_url, await fresh_topics(kafka), mailbox[0])
    env.pop("PAVILION_SIMULATED_START", None)
    env["PAVILION_WEBHOOKS_ALLOWED_NETWORKS"] = "127.0.0.0/8"
    env["PAVILION_WEBHOOK_SCHEDULE"] = ",".join(map(str, SCHEDULE))
    running = Workers(env, tmp_path)
    yield running
    await running.stop()


def topic(workers: Workers, name: str) -> str:
    return workers.env[f"PAVILION_{name.upper()}_TOPIC"]


async def test_the_worker_fires_a_reminder_when_it_is_due(
    workers: Workers, mailbox: tuple[int, Mailbox], publisher: KafkaPublisher
):
    contact, event = str(uuid.uuid4()), str(uuid.uuid4())
    await workers.start("pavtest-remind")
    await publisher.publish(
        topic(workers, "outreach"),
        [
            kafka_record(
                "outreach",
                "ContactRegistered",
                contact,
                **registered(contact, "Ana Lima", "ana@lima.example", "BR", "en"),
            )
        ],
    )
    await eventually(
        lambda: workers.count("SELECT count(*) FROM recipients"),
        within=90,
        what="the worker running, the contact in its view",
    )
    # the 1-day reminder in 6 s (decided by when the RSVP happened: handled late, it
    # still fires at the next tick)
    starts = datetime.now(UTC) + timedelta(days=1, seconds=6)
    await publisher.publish(
        topic(workers, "outreach"),
        [
            kafka_record(
                "outreach",
                "OutreachEventScheduled",
                event,
                **scheduled(
                    event, "Trade Forum", "São Paulo", "BR", starts, (starts + timedelta(hours=3))
                ),
            ),
            kafka_record("outreach", "RsvpAccepted", event, eventId=event, contactId=contact),
        ],
    )

    def reminders() -> list[str]:
        return [m["Subject"] for m in mailbox[1].messages() if m["Subject"].startswith("Remind")]

    async def reminded() -> list[str]:
        return reminders()

    await eventually(reminded, within=60, what="the reminder mailed")
    assert reminders() == [f"Reminder: Trade Forum on {starts:%Y-%m-%d %H:%M} UTC"]
    conn = await asyncpg.connect(workers.env["PAVILION_NOTIFICATIONS_DATABASE_URL"])
    try:
        fired = await conn.fetch("SELECT rule, status, due_at, fired_at FROM reminders")
    finally:
        await conn.close()
    [reminder] = fired  # the 7-day one was already past
    assert (reminder["rule"], reminder["status"]) == ("event-reminder-1d", "FIRED")
    assert reminder["fired_at"] >= reminder["due_at"]  # not early


class Timed(Receiver):
    """The partner's receiver, noting when each attempt arrives (/flaky fails twice)."""

    def __init__(self) -> None:
        super().__init__()
        self.arrivals: list[float] = []

    async def receive(self, request: Request) -> Response:
        self.arrivals.append(time.monotonic())
        return await super().receive(request)


async def test_the_webhooks_process_retries_on_the_schedule(
    workers: Workers, publisher: KafkaPublisher, notifications_pool: asyncpg.Pool
):
    partner = Timed()
    async with receiving(partner) as port:
        registered = await register_endpoint(
            notifications_pool,
            f"http://127.0.0.1:{port}/flaky",
            ["pavilion.exhibitors.*"],
            None,
            policy=LOCAL,
            meta=ADMIN,
            now=datetime.now(UTC),
        )
        partner.secrets["flaky"] = registered.secret
        await workers.start("pavtest-hooks-worker")
        await workers.start("pavtest-hooks", "webhooks")
        app = str(uuid.uuid4())
        approved = kafka_record("exhibitors", "ApplicationApproved", app, applicationId=app)
        await publisher.publish(topic(workers, "exhibitors"), [approved])

        async def succeeded() -> bool:
            sql = "SELECT count(*) FROM webhook_deliveries WHERE status = 'SUCCEEDED'"
            return await notifications_pool.fetchval(sql) == 1

        await eventually(succeeded, within=90, what="the delivery succeeded")

    assert len(partner.arrivals) == len(partner.calls["flaky"]) == 3
    assert len({call["webhook-id"] for call in partner.calls["flaky"]}) == 1
    for gap, delay in zip(pairwise(partner.arrivals), SCHEDULE, strict=True):
        waited = gap[1] - gap[0]
        assert delay * 0.8 <= waited <= delay * 1.2 + POLL + SLACK, (waited, delay)
    row = await notifications_pool.fetchrow("SELECT attempts, last_error FROM webhook_deliveries")
    assert (row["attempts"], row["last_error"]) == (3, None)
