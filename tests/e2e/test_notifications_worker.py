"""The faust-streaming worker against the real broker, PostgreSQL and SMTP catcher:
an approved application produces one email in the contact's language; the same event
delivered three times, and a full replay of the topics by a new consumer group, still
produce one."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import TopicPartition
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import KafkaPublisher

from tests.e2e.notifying import Workers, environment, fresh_topics
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
