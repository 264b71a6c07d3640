"""The faust-streaming worker against the real broker, PostgreSQL and SMTP catcher:
an approved application produces one email in the contact's language; the same event
delivered three times, and a full replay of the topics by a new consumer group, still
produce one; history imported with its original times produces none (no email, no
webhook, no reminder) while a live event after it does."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from notifications.endpoints import register_endpoint
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import KafkaRecord, RecordedEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher

from tests.e2e.notifying import Workers, environment, fresh_topics
from tests.integration.webhook_support import ADMIN, LOCAL
from tests.smtp_catcher import Mailbox
from tests.support import (
    STORY_TIME,
    assert_valid_event,
    eventually,
    kafka_record,
    read_topic,
    registered,
    scheduled,
    submitted_data,
    topic_size,
)


@pytest.fixture
async def topics(kafka: KafkaSettings) -> dict[str, str]:
    return await fresh_topics(kafka)


@pytest.fixture
async def workers(
    notifications_url: str, topics: dict[str, str], mailbox: tuple[int, Mailbox], tmp_path: Path
) -> AsyncIterator[Workers]:
    env = environment(notifications_url, topics, mailbox[0])
    story = {"PAVILION_SIMULATED_START": STORY_TIME.isoformat(),
             "PAVILION_SIMULATED_SINCE": datetime.now(UTC).isoformat()}  # fmt: skip
    running = Workers({**env, **story}, tmp_path)
    yield running
    await running.stop()
    assert not running.data_directories(), "a worker made its data directory in its cwd"


async def test_one_email_per_notification_across_redelivery_and_replay(
    workers: Workers,
    topics: dict[str, str],
    mailbox: tuple[int, Mailbox],
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
):
    contact, app = str(uuid.uuid4()), str(uuid.uuid4())
    await workers.start("pavtest-notify-live")
    await publisher.publish(
        topics["outreach"],
        [
            kafka_record(
                "outreach",
                "ContactRegistered",
                contact,
                **registered(contact, "Klaus Weber", "klaus@weber.example", "DE", "de"),
            )
        ],
    )

    await eventually(
        lambda: workers.count("SELECT count(*) FROM recipients"),
        within=90,
        what="the contact (and their language) in the worker's view",
    )
    approved = kafka_record("exhibitors", "ApplicationApproved", app, applicationId=app)
    submitted = kafka_record(
        "exhibitors",
        "ApplicationSubmitted",
        app,
        **submitted_data(
            app,
            "Weber Antriebe GmbH",
            "DE",
            [{"name": "Klaus Weber", "email": "klaus@weber.example", "phone": None}],
            "SMART_VEHICLES",
        ),
    )
    waitlisted = kafka_record("exhibitors", "ApplicationWaitlisted", app, applicationId=app)
    await publisher.publish(
        topics["exhibitors"], [submitted, approved, approved, approved, waitlisted]
    )

    async def three() -> bool:
        return len(mailbox[1].messages()) >= 3

    await eventually(three, within=90, what="three emails")
    subjects = [m["Subject"] for m in mailbox[1].messages()]
    assert subjects == [
        "Wir haben die Bewerbung von Weber Antriebe GmbH für CISCE-2026 erhalten",
        "Weber Antriebe GmbH ist als Aussteller für CISCE-2026 zugelassen",
        "Weber Antriebe GmbH steht auf der Warteliste für CISCE-2026",
    ]

    await workers.start("pavtest-notify-replay")  # a new group reads everything again
    ends = {t: await topic_size(kafka, t) for t in topics.values()}
    await eventually(
        lambda: _consumed(kafka, "pavtest-notify-replay", ends),
        within=90,
        what="the replay consumed both topics",
    )
    assert len(mailbox[1].messages()) == 3
    assert await workers.count("SELECT count(*) FROM notifications") == 3


async def _consumed(kafka: KafkaSettings, group: str, ends: dict[str, int]) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
    finally:
        await admin.close()
    done: dict[str, int] = {}
    for tp, meta in offsets.items():
        assert isinstance(tp, TopicPartition)
        done[tp.topic] = done.get(tp.topic, 0) + max(meta.offset, 0)
    return all(done.get(t, 0) >= n for t, n in ends.items())


async def test_an_invitation_without_consent_is_suppressed_and_that_is_published(
    workers: Workers,
    topics: dict[str, str],
    mailbox: tuple[int, Mailbox],
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
):
    await workers.start("pavtest-notify-suppress")
    await workers.start("pavtest-notify-relay", "relay")
    contact, event = str(uuid.uuid4()), str(uuid.uuid4())
    await publisher.publish(
        topics["outreach"],
        [
            kafka_record(
                "outreach",
                "ContactRegistered",
                contact,
                **registered(contact, "Ana Lima", "ana@lima.example", "US", "en"),
            ),
            kafka_record(
                "outreach",
                "OutreachEventScheduled",
                event,
                **scheduled(
                    event,
                    "Policy to Partnership Forum",
                    "Washington",
                    "US",
                    datetime.fromisoformat("2025-12-04T14:30:00+00:00"),
                    datetime.fromisoformat("2025-12-04T18:00:00+00:00"),
                    stopIndex=1,
                ),
            ),
        ],
    )
    await eventually(
        lambda: workers.count("SELECT count(*) FROM outreach_events"),
        within=90,
        what="the event in the worker's view",
    )
    await publisher.publish(
        topics["outreach"],
        [kafka_record("outreach", "ContactInvited", event, eventId=event, contactId=contact)],
    )

    def suppressed(messages: list[Any]) -> bool:
        return any(
            dict(m.headers)["ce_type"].endswith(b"NotificationSuppressed.v1") for m in messages
        )

    messages = await read_topic(kafka, topics["notifications"], suppressed, within=90)
    for message in messages:
        assert_valid_event(message)
    [event_message] = [m for m in messages if suppressed([m])]
    assert json.loads(event_message.value)["reason"] == "NO_CONSENT"
    assert mailbox[1].messages() == []


def history(service: str, event_type: str, subject: str, version: int, **data: Any) -> KafkaRecord:
    """An event as the relay publishes imported history: it happened months before it
    was recorded (its metadata's `occurred_at`)."""
    happened = STORY_TIME - timedelta(days=60)
    metadata = {"correlation_id": "old-crm", "actor": "history-import",
                "occurred_at": happened.isoformat()}  # fmt: skip
    recorded = RecordedEvent(uuid.uuid4(), subject, version, 1, event_type, 1, data, metadata,
                             datetime.now(UTC))  # fmt: skip
    return to_kafka(recorded, service)


async def test_history_on_the_topics_notifies_no_one_and_a_live_event_after_it_does(
    workers: Workers,
    topics: dict[str, str],
    mailbox: tuple[int, Mailbox],
    publisher: KafkaPublisher,
    notifications_url: str,
):
    pool = await asyncpg.create_pool(notifications_url, min_size=1, max_size=2)
    try:
        await register_endpoint(
            pool, "http://127.0.0.1:9/hook", ["pavilion.*"], None, policy=LOCAL, meta=ADMIN,
            now=STORY_TIME,
        )  # fmt: skip
    finally:
        await pool.close()
    await workers.start("pavtest-notify-history")
    contact, event, app = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    klaus = [{"name": "Klaus Weber", "email": "klaus@weber.example", "phone": None}]
    starts = STORY_TIME + timedelta(days=20)
    await publisher.publish(topics["outreach"], [
        history("outreach", "ContactRegistered", contact, 1,
                **registered(contact, "Klaus Weber", "klaus@weber.example", "DE", "de")),
        history("outreach", "OutreachEventScheduled", event, 1,
                **scheduled(event, "Berlin Forum", "Berlin", "DE", starts,
                            starts + timedelta(hours=3))),
        history("outreach", "RsvpAccepted", event, 2, eventId=event, contactId=contact),
    ])  # fmt: skip
    await publisher.publish(topics["exhibitors"], [
        history("exhibitors", "ApplicationSubmitted", app, 1,
                **submitted_data(app, "Weber Antriebe GmbH", "DE", klaus, "SMART_VEHICLES")),
        history("exhibitors", "ApplicationApproved", app, 2, applicationId=app),
    ])  # fmt: skip
    await eventually(
        lambda: workers.count("SELECT count(*) FROM application_contacts"),
        within=90,
        what="the history in the worker's views",
    )
    waitlisted = kafka_record("exhibitors", "ApplicationWaitlisted", app, version=3,
                              applicationId=app)  # fmt: skip
    await publisher.publish(topics["exhibitors"], [waitlisted])  # live: recorded as it happens

    async def one() -> bool:
        return len(mailbox[1].messages()) >= 1

    await eventually(one, within=90, what="the live event's email")
    subjects = [m["Subject"] for m in mailbox[1].messages()]
    assert subjects == ["Weber Antriebe GmbH steht auf der Warteliste für CISCE-2026"]
    assert await workers.count("SELECT count(*) FROM notifications") == 1
    assert await workers.count("SELECT count(*) FROM webhook_deliveries") == 1
    assert await workers.count("SELECT count(*) FROM reminders") == 0
    assert await workers.count("SELECT count(*) FROM outreach_events") == 1
