"""History imported from an older CRM (python -m exhibitors.history, the service's
/history route) on the real PostgreSQL, Kafka and notifier: the original times are kept
apart from the recording time in the store, on the topic and in the gateway's timeline;
what is refused changes nothing; the same file again adds nothing; and history notifies
no one, while a live event about the same application still does."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from exhibitors.domain.application import application_id
from exhibitors.history import history_client, read_entries, send_all
from fastapi import FastAPI
from gateway.auth import Role, Viewer
from gateway.commands import CommandClient, Refusal
from gateway.projector import Projector
from gateway.timeline import timeline_page
from notifications.endpoints import register_endpoint
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import header_attributes
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.personal import Sealer
from pavilion_core.relay import OutboxRelay
from pavilion_core.service_tokens import HISTORY, ServiceTokens

from tests.integration.webhook_support import ADMIN, LOCAL
from tests.smtp_catcher import Mailbox
from tests.support import STORY_TIME, cloud_event, read_topic

EDITION = "CISCE-2026"
COMPANY = "Maple Robotics (CA)"
APP = application_id(EDITION, None, COMPANY)
CST = "+08:00"


def entry(at: str, command: str, key: str, **body: Any) -> dict[str, Any]:
    return {"occurredAt": f"{at}{CST}", "command": command, "body": body, "key": key}


STORY = [
    entry("2025-09-05T10:00:00", "DefineBooth", "booth-n1-001", edition=EDITION, hall="N1",
          boothCode="N1-001", sizeSqm=18, supplyChainArea="ADVANCED_MANUFACTURING"),
    entry("2025-09-10T14:30:00", "SubmitApplication", "maple-1", edition=EDITION,
          companyName=COMPANY, country="CA", supplyChainAreas=["ADVANCED_MANUFACTURING"],
          contacts=[{"name": "Amélie Tremblay", "email": "amelie@maple.example",
                     "language": "fr"}]),
    entry("2025-09-20T09:00:00", "StartReview", "maple-2", applicationId=APP),
    entry("2025-09-25T11:00:00", "ApproveApplication", "maple-3", applicationId=APP),
    entry("2025-10-01T10:00:00", "IssueContract", "maple-4", applicationId=APP,
          amount=4_500_000, currency="CNY", dueDate="2025-11-15"),
    entry("2025-10-08T16:00:00", "SignContract", "maple-5", applicationId=APP),
    entry("2025-10-20T10:00:00", "RecordPayment", "maple-6", applicationId=APP,
          amount=4_500_000, currency="CNY", reference="SWIFT-OLD-CRM-1"),
    entry("2025-10-25T10:00:00", "AssignBooth", "maple-7", applicationId=APP, hall="N1",
          boothCode="N1-001"),
    entry("2025-11-01T10:00:00", "ConfirmParticipation", "maple-8", applicationId=APP),
]  # fmt: skip
TIMES = [datetime.fromisoformat(e["occurredAt"]) for e in STORY]


def lines(entries: list[dict[str, Any]]) -> list[str]:
    return [json.dumps(e) for e in entries]


@pytest.fixture
async def importer(exhibitors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The history command's client, in process: a token with the HISTORY privilege."""
    async with history_client("http://exhibitors") as client:
        client._transport = httpx.ASGITransport(app=exhibitors_app)
        yield client


async def _events(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT stream_id, type, metadata, recorded_at FROM events ORDER BY position"
    )


async def _relay_all(pool: asyncpg.Pool, publisher: KafkaPublisher, topic: str) -> None:
    relay = OutboxRelay(pool, publisher, service="exhibitors", topic=topic)
    while await relay.publish_batch():
        pass


async def test_history_keeps_its_times_apart_through_store_topic_and_timeline(
    importer: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
) -> None:
    before = datetime.now(UTC)
    outcome = await send_all(importer, read_entries(lines(STORY)))
    assert (outcome.imported, outcome.rejected, outcome.unsent) == (len(STORY), [], [])

    every = await _events(store_pool)  # the seed's edition (made as the service started) too
    stored = [r for r in every if not r["stream_id"].startswith("edition:")]
    assert [r["type"] for r in stored if r["stream_id"] == APP][-1] == "ParticipationConfirmed"
    for row in stored:
        occurred = datetime.fromisoformat(json.loads(row["metadata"])["occurred_at"])
        assert occurred in TIMES and row["recorded_at"] >= before
        assert json.loads(row["metadata"])["actor"] == "history-import"

    await _relay_all(store_pool, publisher, topic)
    messages = [
        m
        for m in await read_topic(kafka, topic, lambda m: len(m) == len(every))
        if not m.key.startswith(b"edition:")
    ]
    for message in messages:
        headers = header_attributes(message.headers)
        happened = datetime.fromisoformat(headers["ce_time"])
        assert happened in TIMES
        assert datetime.fromisoformat(headers["ce_recordedtime"]) >= before > happened

    events = [READER.decode(m.value, m.headers) for m in messages]
    async with read_pool.acquire() as conn, conn.transaction():
        await Projector(announce=False).batch(conn, events)
    page = await timeline_page(read_pool, Viewer("staff:li", Role.ORGANIZER), APP, 50, None)
    entries = [edge.node for edge in page.edges]
    assert (entries[0].type, entries[0].occurred_at) == ("ApplicationSubmitted", TIMES[1])
    assert all(e.recorded_at >= before > e.occurred_at for e in entries)


LIVE_ONLY = {
    "edition": "CISCE-2026",
    "fromEdition": "CISCE-2026",
    "deadline": "2026-01-01T00:00:00Z",
}


async def test_history_refused_changes_nothing_and_the_same_file_adds_nothing(
    importer: httpx.AsyncClient, exhibitors_app: FastAPI, store_pool: asyncpg.Pool
) -> None:
    await send_all(importer, read_entries(lines(STORY[:4])))
    count = await store_pool.fetchval("SELECT count(*) FROM events")

    future = (STORY_TIME + timedelta(days=1)).isoformat()
    bad = [
        "{not json",
        json.dumps({**STORY[4], "occurredAt": future, "key": "future"}),
        json.dumps({**STORY[4], "command": "DropTables", "key": "unknown"}),
        json.dumps({**STORY[4], "body": {"applicationId": APP}, "key": "incomplete"}),
        json.dumps({**STORY[4], "occurredAt": "2025-09-01T00:00:00+08:00", "key": "early"}),
        json.dumps({k: v for k, v in STORY[4].items() if k != "key"}),
        json.dumps({**STORY[4], "command": "OfferRebooking", "body": LIVE_ONLY, "key": "live"}),
    ]
    outcome = await send_all(importer, read_entries([*lines(STORY[:4]), *bad]))
    assert outcome.already_there == 4 and outcome.imported == 0
    reasons = {line: why for line, _, why in outcome.rejected}
    assert sorted(reasons) == [5, 6, 7, 8, 9, 10, 11]
    assert "not JSON" in reasons[5]
    assert "in the future" in reasons[6]
    assert "no command of the exhibitors service" in reasons[7]
    assert "amount" in reasons[8]
    assert "import a stream's history in order" in reasons[9]
    assert "key" in reasons[10]
    assert "done live, not imported as history" in reasons[11]

    gateway = CommandClient({}, ServiceTokens.from_env())  # the gateway's own tokens
    gateway.http["exhibitors"] = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=exhibitors_app), base_url="http://exhibitors"
    )
    try:
        answer = await gateway.call("staff:admin", "exhibitors", "POST", "/history", body=STORY[4])
    finally:
        await gateway.close()
    assert isinstance(answer, Refusal) and answer.errors[0].code == "FORBIDDEN"
    assert await store_pool.fetchval("SELECT count(*) FROM events") == count


async def test_history_notifies_no_one_but_a_live_event_still_does(
    importer: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
    publisher: KafkaPublisher,
    kafka: KafkaSettings,
    topic: str,
    sealer: Sealer,
) -> None:
    await register_endpoint(
        notifications_pool, "http://127.0.0.1:9/hook", ["pavilion.exhibitors.*"], None,
        policy=LOCAL, meta=ADMIN, now=STORY_TIME,
    )  # fmt: skip
    await send_all(importer, read_entries(lines(STORY)))
    stored = await store_pool.fetchval("SELECT count(*) FROM events")
    await _relay_all(store_pool, publisher, topic)
    messages = await read_topic(kafka, topic, lambda m: len(m) == stored)
    # decoded as the notifications service decodes (personal values unsealed)
    history = [READER.read(await sealer.decode(m.value, m.headers)) for m in messages]
    assert all(event.is_history for event in history)

    await notifier.handle_all(history)
    assert await mail.send_due() == 0
    for table in ("notifications", "webhook_deliveries", "reminders", "mail_queue"):
        assert await notifications_pool.fetchval(f"SELECT count(*) FROM {table}") == 0, table

    live = cloud_event("exhibitors", "ApplicationApproved", APP, version=99, applicationId=APP)
    await notifier.handle(live)
    assert await mail.send_due() == 1
    assert [m["To"] for m in mailbox[1].messages()] == ["amelie@maple.example"]
    assert await notifications_pool.fetchval("SELECT count(*) FROM webhook_deliveries") == 1


def test_a_history_file_is_read_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text("\n".join([*lines(STORY[:2]), "", "[]"]) + "\n")
    read = list(read_entries(path.read_text().splitlines()))
    assert [n for n, _ in read] == [1, 2, 4]
    assert isinstance(read[2][1], str)
    assert HISTORY == "history:import"
