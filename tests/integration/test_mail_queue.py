"""The mail queue on real PostgreSQL and a real SMTP server (the catcher, told to refuse
when a test needs it): a crashed sender re-sends at most the message it had in
flight, with the same Message-ID; a deferral (4xx) or an unreachable server is tried
again after a capped exponential backoff, up to a limit; a refusal (5xx) fails at
once with the server's reply; an opt-out that comes while a message waits wins."""

from collections import Counter
from datetime import timedelta

import asyncpg
from notifications.pipeline import opt_out
from pavilion_core.envelope import Metadata
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock

from tests.integration.mail_support import mail_queue, notifier, queue, submitted
from tests.smtp_catcher import Mailbox
from tests.support import STORY_TIME, assert_stored_events_valid, cloud_event, eventually, free_port

CONTACTS = ("ada@maple.example", "bo@maple.example", "cy@maple.example")


async def test_a_crashed_sender_resends_only_the_message_in_flight_with_the_same_message_id(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    port, box = mailbox
    clock = FixedClock(STORY_TIME)
    await notifier(notifications_pool, port, clock, sealer).handle(submitted(*CONTACTS))
    crashed = mail_queue(notifications_pool, port, clock, sealer, lease_seconds=1.0)
    in_flight, unsent = await crashed.claim(2)
    await crashed.mailer.send(in_flight.recipient, in_flight.message)
    # ... and the process dies: neither outcome is recorded, both stay SENDING

    survivor = mail_queue(notifications_pool, port, clock, sealer, lease_seconds=1.0)
    assert await survivor.send_due() == 1  # the third; the other two are leased still
    statuses = Counter(r["status"] for r in (await queue(notifications_pool)).values())
    assert statuses == {"SENDING": 2, "SENT": 1}

    async def all_sent() -> bool:
        await survivor.send_due()
        return all(r["status"] == "SENT" for r in (await queue(notifications_pool)).values())

    await eventually(all_sent, within=15, what="the leases ran out and the rest was sent")
    rows = {row["id"]: row for row in (await queue(notifications_pool)).values()}
    copies = Counter(m["Message-ID"] for m in box.messages())
    assert copies == {
        f"<{nid}@cisce.test>": 2 if nid == in_flight.notification_id else 1 for nid in rows
    }
    first, again = [m for m in box.messages() if in_flight.notification_id in m["Message-ID"]]
    assert first.as_bytes() == again.as_bytes()  # the duplicate is recognisably the same
    attempts = {nid: row["attempts"] for nid, row in rows.items()}
    assert attempts[in_flight.notification_id] == attempts[unsent.notification_id] == 2
    assert all(row["message"] is None for row in rows.values())  # not kept once sent
    sent = "SELECT count(*) FROM events WHERE type = 'NotificationSent'"
    assert await notifications_pool.fetchval(sent) == 3


async def test_a_deferral_is_retried_after_a_growing_backoff_then_delivered(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    port, box = mailbox
    clock = FixedClock(STORY_TIME)
    box.refuse_next("451 4.3.0 Greylisted, try again later", "421 4.7.0 Too busy")
    await notifier(notifications_pool, port, clock, sealer).handle(submitted(CONTACTS[0]))
    mail = mail_queue(notifications_pool, port, clock, sealer)  # 60 s, then 120 s (±20 %)

    for attempt, wait, reply in ((1, 60, "451"), (2, 120, "421")):
        assert await mail.send_due() == 1
        row = (await queue(notifications_pool))[CONTACTS[0]]
        assert (row["status"], row["attempts"]) == ("PENDING", attempt)
        assert reply in row["last_error"]
        delay = (row["next_attempt_at"] - clock.now()).total_seconds()
        assert wait * 0.8 <= delay <= wait * 1.2, delay
        clock.advance(timedelta(seconds=wait * 0.8 - 1))
        assert await mail.send_due() == 0  # not due yet
        clock.advance(timedelta(seconds=wait * 0.4 + 1))

    assert await mail.send_due() == 1
    row = (await queue(notifications_pool))[CONTACTS[0]]
    assert (row["status"], row["attempts"]) == ("SENT", 3)
    assert len(box.refused) == 2 and len(box.messages()) == 1
    status = await notifications_pool.fetchval("SELECT status FROM notifications")
    assert status == "SENT"


async def test_a_refusal_fails_at_once_with_the_servers_reply(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    port, box = mailbox
    clock = FixedClock(STORY_TIME)
    box.refuse_next("550 5.1.1 No such mailbox here")
    await notifier(notifications_pool, port, clock, sealer).handle(submitted(CONTACTS[0]))

    assert await mail_queue(notifications_pool, port, clock, sealer).send_due() == 1

    row = (await queue(notifications_pool))[CONTACTS[0]]
    assert (row["status"], row["attempts"], row["message"]) == ("FAILED", 1, None)
    ledger = await notifications_pool.fetchrow("SELECT status, reason FROM notifications")
    assert ledger["status"] == "FAILED"
    # the reply's code, not its text (a server's text may quote the address)
    assert "550" in ledger["reason"] and "No such mailbox" not in ledger["reason"]
    assert box.messages() == []
    assert await assert_stored_events_valid(notifications_pool, "notifications") == {
        "NotificationRequested",
        "NotificationFailed",
    }


async def test_an_unreachable_server_is_retried_up_to_the_limit_then_failed(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    clock = FixedClock(STORY_TIME)
    overdue = cloud_event(
        "outreach",
        "FollowUpBecameOverdue",
        "follow-up",
        followUpId="f",
        subjectId="s",
        owner="li.na",
        dueAt=STORY_TIME.isoformat(),
    )
    await notifier(notifications_pool, mailbox[0], clock, sealer).handle(overdue)
    await notifier(notifications_pool, mailbox[0], clock, sealer).handle(overdue)  # redelivered
    mail = mail_queue(notifications_pool, free_port(), clock, sealer, max_attempts=3)

    for _ in range(3):
        assert await mail.send_due() == 1
        clock.advance(timedelta(minutes=10))  # past any wait (capped at 600 s + 20 %)

    assert await mail.send_due() == 0
    row = await notifications_pool.fetchrow("SELECT status, recipient, reason FROM notifications")
    assert (row["status"], row["recipient"]) == ("FAILED", "li.na@staff.test")
    assert row["reason"].startswith("gave up after 3 attempts: SMTPConnectError")
    assert await assert_stored_events_valid(notifications_pool, "notifications") == {
        "NotificationRequested",
        "NotificationFailed",
    }


async def test_an_opt_out_while_a_message_waits_suppresses_it(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    port, box = mailbox
    clock = FixedClock(STORY_TIME)
    box.refuse_next("451 4.3.0 Try again later")
    await notifier(notifications_pool, port, clock, sealer).handle(submitted(CONTACTS[0]))
    mail = mail_queue(notifications_pool, port, clock, sealer)
    assert await mail.send_due() == 1  # deferred

    meta = Metadata(correlation_id="test", actor="recipient")
    assert await opt_out(notifications_pool, sealer, CONTACTS[0], clock.now(), meta)
    clock.advance(timedelta(minutes=5))
    assert await mail.send_due() == 1

    assert box.messages() == []
    row = await notifications_pool.fetchrow("SELECT status, reason FROM notifications")
    assert (row["status"], row["reason"]) == ("SUPPRESSED", "OPTED_OUT")
    assert (await queue(notifications_pool))[CONTACTS[0]]["status"] == "SUPPRESSED"
    assert "NotificationSuppressed" in await assert_stored_events_valid(
        notifications_pool, "notifications"
    )
