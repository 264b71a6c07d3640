"""Notifications decided on the right state, whatever order Kafka delivers it in: the
consent outreach saw when it invited (even when the contact's partition lags), views
that a redelivered or older event never rolls back, reminders decided by when their
event happened (not when it was handled), and times in the venue's own zone."""

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from notifications.bootstrap import StreamHandler
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from pavilion_core.envelope import CloudEvent, from_kafka
from pavilion_core.parking import request_redrive
from pavilion_core.testing import FixedClock

from tests.smtp_catcher import Mailbox
from tests.support import (
    STORY_TIME,
    assert_stored_events_valid,
    cloud_event,
    fetched,
    kafka_record,
    registered,
    scheduled,
    submitted_data,
)

STARTS = STORY_TIME + timedelta(days=10)


def outreach(event_type: str, subject: str, version: int, **data: Any) -> CloudEvent:
    """Outreach's event at `version` of its stream."""
    return cloud_event("outreach", event_type, subject, version=version, **data)


def forum(event_id: str, **more: Any) -> CloudEvent:
    return outreach(
        "OutreachEventScheduled",
        event_id,
        1,
        **scheduled(
            event_id, "Trade Forum", "Toronto", "CA", STARTS, STARTS + timedelta(hours=4), **more
        ),
    )


def granted(contact: str, version: int) -> CloudEvent:
    return outreach(
        "ConsentGranted",
        contact,
        version,
        contactId=contact,
        channel="EMAIL",
        purpose="MARKETING",
        legalBasis="EXPRESS",
        evidence="form",
        grantedAt=STORY_TIME.isoformat(),
        expiresAt=None,
    )


def invited(event_id: str, contact: str, contact_version: int, consent: bool) -> CloudEvent:
    """The invitation as outreach records it: with the invitee as outreach knew them then."""
    invitee = {
        "contactVersion": contact_version,
        "email": "jane@forum.example",
        "name": "Jane Roy",
        "language": "en",
        "emailMarketing": {"grantedAt": STORY_TIME.isoformat(), "expiresAt": None}
        if consent
        else None,
    }
    return outreach(
        "ContactInvited", event_id, 2, eventId=event_id, contactId=contact, invitee=invitee
    )


async def outcome(pool: asyncpg.Pool) -> list[tuple[str, str | None]]:
    rows = await pool.fetch("SELECT status, reason FROM notifications ORDER BY created_at")
    return [(r["status"], r["reason"]) for r in rows]


async def test_an_invitation_after_a_withdrawal_on_a_lagging_partition_is_suppressed(
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    """Outreach recorded the withdrawal (v3) before the invitation; this consumer has
    seen the contact only up to the grant (v2): the invitation's own word wins."""
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    data = registered(jane, "Jane Roy", "jane@forum.example", "CA", "en")
    await notifier.handle(outreach("ContactRegistered", jane, 1, **data))
    await notifier.handle(granted(jane, 2))
    await notifier.handle(forum(event_id))

    await notifier.handle(invited(event_id, jane, contact_version=3, consent=False))
    assert await mail.send_due() == 0
    assert mailbox[1].messages() == []
    assert await outcome(notifications_pool) == [("SUPPRESSED", "NO_CONSENT")]

    # the lagging partition catches up, redelivering the grant: still withdrawn
    await notifier.handle(granted(jane, 2))
    assert await notifications_pool.fetchval("SELECT count(*) FROM mail_queue") == 0
    withdrawn = await notifications_pool.fetchval("SELECT granted_at IS NULL FROM consents")
    assert withdrawn


async def test_an_invitation_to_a_contact_not_yet_seen_is_sent_from_what_it_carries(
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    """ContactRegistered and the grant lag behind the invitation: no silent drop."""
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    await notifier.handle(forum(event_id))

    await notifier.handle(invited(event_id, jane, contact_version=2, consent=True))
    assert await mail.send_due() == 1
    [invitation] = mailbox[1].messages()
    assert invitation["To"] == "jane@forum.example"
    assert await outcome(notifications_pool) == [("SENT", None)]

    # the lagging registration arrives later and changes nothing it should not
    data = registered(jane, "Old Name", "old@forum.example", "CA", "fr")
    await notifier.handle(outreach("ContactRegistered", jane, 1, **data))
    row = await notifications_pool.fetchrow("SELECT email, name FROM recipients")
    assert (row["email"], row["name"]) == ("jane@forum.example", "Jane Roy")


async def test_a_mail_to_a_contact_nobody_has_described_yet_leaves_a_ledger_row(
    notifier: Notifier, mail: MailQueue, notifications_pool: asyncpg.Pool
):
    """An invitation recorded before invitations carried the invitee, whose contact
    this consumer has not seen: not silently dropped, the ledger says why."""
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    await notifier.handle(forum(event_id))

    await notifier.handle(outreach("ContactInvited", event_id, 2, eventId=event_id, contactId=jane))
    assert await mail.send_due() == 0
    row = await notifications_pool.fetchrow("SELECT recipient, status, reason FROM notifications")
    assert dict(row) == {"recipient": f"contact:{jane}", "status": "SUPPRESSED",
                         "reason": "UNKNOWN_RECIPIENT"}  # fmt: skip
    assert await assert_stored_events_valid(notifications_pool, "notifications") == {
        "NotificationRequested",
        "NotificationSuppressed",
    }


async def test_a_redelivered_older_event_never_rolls_a_view_back(
    notifier: Notifier, notifications_pool: asyncpg.Pool
):
    jane, event_id, app = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    first = registered(jane, "Jane Roy", "jane@forum.example", "CA", "en")
    renamed = {**first, "name": "Jane Roy-Tremblay", "email": "jane@maple.example"}
    await notifier.handle(outreach("ContactRegistered", jane, 1, **first))
    await notifier.handle(granted(jane, 2))
    withdrawn = outreach(
        "ConsentWithdrawn",
        jane,
        3,
        contactId=jane,
        channel="EMAIL",
        purpose="MARKETING",
        reason="asked",
        withdrawnAt=STORY_TIME.isoformat(),
    )
    await notifier.handle(withdrawn)
    await notifier.handle(outreach("ContactUpdated", jane, 4, **renamed))
    await notifier.handle(forum(event_id))
    moved = STARTS + timedelta(days=1)
    reschedule = outreach(
        "OutreachEventRescheduled",
        event_id,
        3,
        eventId=event_id,
        startsAt=moved.isoformat(),
        endsAt=(moved + timedelta(hours=4)).isoformat(),
    )
    await notifier.handle(reschedule)
    contacts = [{"name": "Li Wei", "email": "li@maple.example", "phone": None}]
    submitted = cloud_event(
        "exhibitors",
        "ApplicationSubmitted",
        app,
        **submitted_data(app, "Maple", "CA", contacts, "CLEAN_ENERGY"),
    )
    await notifier.handle(submitted)
    removed = cloud_event(
        "exhibitors",
        "ExhibitorContactRemoved",
        app,
        version=2,
        applicationId=app,
        email="li@maple.example",
    )
    await notifier.handle(removed)

    # every one of them again, oldest first, and an older reschedule (v2) late
    for old in (outreach("ContactRegistered", jane, 1, **first), granted(jane, 2), submitted):
        await notifier.handle(old)
    await notifier.handle(withdrawn)
    earlier = dataclasses.replace(reschedule, stream_version=2, data={
        **reschedule.data, "startsAt": STARTS.isoformat()})  # fmt: skip
    await notifier.handle(earlier)

    pool = notifications_pool
    row = await pool.fetchrow("SELECT email, name FROM recipients WHERE contact_id = $1", jane)
    assert (row["email"], row["name"]) == ("jane@maple.example", "Jane Roy-Tremblay")
    granted_now = await pool.fetchval(
        "SELECT count(*) FROM consents WHERE contact_id = $1 AND granted_at IS NOT NULL", jane
    )
    assert granted_now == 0
    assert await pool.fetchval("SELECT starts_at FROM outreach_events") == moved
    assert await pool.fetchval("SELECT count(*) FROM application_contacts WHERE NOT removed") == 0


async def test_a_reminder_owed_before_a_lagging_redelivery_still_fires(
    notifier: Notifier,
    mail: MailQueue,
    clock: FixedClock,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    """Jane accepted 9 days before the forum; the answer is handled (redelivered after
    a lag) 6 days before it: the 7-day reminder was owed, and goes out now."""
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    data = registered(jane, "Jane Roy", "jane@forum.example", "CA", "en")
    await notifier.handle(outreach("ContactRegistered", jane, 1, **data))
    await notifier.handle(forum(event_id))
    clock.current = STARTS - timedelta(days=6)
    accepted = outreach("RsvpAccepted", event_id, 3, eventId=event_id, contactId=jane)
    lag = timedelta(days=3)  # the answer was recorded 9 days before the forum
    recorded = accepted.time - lag  # happened and recorded then: live, not history
    await notifier.handle(dataclasses.replace(accepted, time=recorded, recorded_time=recorded))

    await notifier.fire_reminders()
    await mail.send_due()
    subjects = [m["Subject"] for m in mailbox[1].messages()]
    assert sum(s.startswith("Reminder") for s in subjects) == 1
    rules = await notifications_pool.fetch("SELECT rule, status FROM reminders ORDER BY rule")
    assert [(r["rule"], r["status"]) for r in rules] == [
        ("event-reminder-1d", "SCHEDULED"),
        ("event-reminder-7d", "FIRED"),
    ]


async def test_an_older_reschedule_redelivered_does_not_move_the_reminders_back(
    notifier: Notifier, notifications_pool: asyncpg.Pool
):
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    await notifier.handle(forum(event_id))
    await notifier.handle(outreach("RsvpAccepted", event_id, 3, eventId=event_id, contactId=jane))

    def moved(version: int, starts: datetime) -> CloudEvent:
        ends = starts + timedelta(hours=4)
        return outreach("OutreachEventRescheduled", event_id, version, eventId=event_id,
                        startsAt=starts.isoformat(), endsAt=ends.isoformat())  # fmt: skip

    later = STARTS + timedelta(days=2)
    await notifier.handle(moved(4, later))
    await notifier.handle(moved(2, STARTS + timedelta(days=1)))  # older, redelivered late
    due = await notifications_pool.fetch("SELECT due_at FROM reminders ORDER BY due_at")
    assert [r["due_at"] for r in due] == [later - timedelta(days=7), later - timedelta(days=1)]


async def test_a_reminder_whose_event_has_begun_is_recorded_as_missed_not_sent(
    notifier: Notifier,
    mail: MailQueue,
    clock: FixedClock,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    data = registered(jane, "Jane Roy", "jane@forum.example", "CA", "en")
    await notifier.handle(outreach("ContactRegistered", jane, 1, **data))
    await notifier.handle(forum(event_id))
    await notifier.handle(outreach("RsvpAccepted", event_id, 3, eventId=event_id, contactId=jane))
    clock.current = STARTS + timedelta(minutes=5)  # the worker was away until the forum began

    await notifier.fire_reminders()
    await mail.send_due()
    assert not [m for m in mailbox[1].messages() if m["Subject"].startswith("Reminder")]
    statuses = await notifications_pool.fetch("SELECT status FROM reminders")
    assert [r["status"] for r in statuses] == ["MISSED", "MISSED"]


async def test_an_invitation_to_a_toronto_forum_shows_toronto_time(
    notifier: Notifier, mail: MailQueue, mailbox: tuple[int, Mailbox]
):
    jane, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    data = registered(jane, "Jane Roy", "jane@forum.example", "CA", "en")
    await notifier.handle(outreach("ContactRegistered", jane, 1, **data))
    await notifier.handle(granted(jane, 2))
    starts = datetime(2026, 5, 12, 22, 0, tzinfo=UTC)
    await notifier.handle(
        outreach(
            "OutreachEventScheduled",
            event_id,
            1,
            **scheduled(
                event_id,
                "Trade Forum",
                "Toronto",
                "CA",
                starts,
                starts + timedelta(hours=4),
                timeZone="America/Toronto",
            ),
        )
    )
    await notifier.handle(invited(event_id, jane, contact_version=2, consent=True))
    await mail.send_due()
    [invitation] = mailbox[1].messages()
    toronto = "2026-05-12 18:00 EDT (Toronto)"  # 22:00 UTC
    assert invitation["Subject"] == f"Invitation: Trade Forum, Toronto, {toronto}"


async def test_a_failed_consent_event_holds_back_the_contacts_later_ones_until_its_redrive(
    notifier: Notifier, notifications_pool: asyncpg.Pool
):
    """Before parking, the grant was dead-lettered and the withdrawal behind it applied;
    the grant redriven later brought the consent back."""
    grant, withdrawal = await _grant_then_withdrawal(notifier)
    handler = StreamHandler(notifier, mail=None, group="pavilion-notifications")  # type: ignore[arg-type]

    await handler.park(grant, ValueError("a bug in the consent view"))
    assert await handler.park_if_held(withdrawal)  # what the agent asks before handling it

    await request_redrive(notifications_pool, "pavilion-notifications")
    assert await handler.redrive() == 2
    assert not await notifications_pool.fetchval("SELECT count(*) FROM parked_messages")
    assert await notifications_pool.fetchval("SELECT granted_at IS NULL FROM consents")


async def _grant_then_withdrawal(notifier: Notifier) -> tuple[ConsumerRecord, ConsumerRecord]:
    """A contact the notifier knows, and the next two messages of its stream as fetched:
    a marketing consent granted (v2), then withdrawn (v3)."""
    jane = str(uuid.uuid4())
    data = registered(jane, "Jane Roy", "jane@forum.example", "CA", "en")
    await notifier.handle(outreach("ContactRegistered", jane, 1, **data))
    kind = {"contactId": jane, "channel": "EMAIL", "purpose": "MARKETING"}
    grant = kafka_record("outreach", "ConsentGranted", jane, version=2, **kind,
                         legalBasis="EXPRESS", evidence="form",
                         grantedAt=STORY_TIME.isoformat(), expiresAt=None)  # fmt: skip
    withdrawal = kafka_record("outreach", "ConsentWithdrawn", jane, version=3, **kind,
                              withdrawnAt=STORY_TIME.isoformat())  # fmt: skip
    return fetched(grant, "pavilion.outreach.v1", 0, 0), fetched(
        withdrawal, "pavilion.outreach.v1", 0, 1
    )


async def test_a_message_arriving_during_its_records_redrive_waits_for_it_then_applies(
    notifier: Notifier, notifications_pool: asyncpg.Pool
):
    """The agent and the redrive timer run side by side. Before the record's lock, the
    agent saw the parked grant, the redrive then applied it, and the agent parked the
    withdrawal behind nothing: held back until someone asked for another redrive."""
    grant, withdrawal = await _grant_then_withdrawal(notifier)
    handler = StreamHandler(notifier, mail=None, group="pavilion-notifications")  # type: ignore[arg-type]
    await handler.park(grant, ValueError("a bug in the consent view"))
    await request_redrive(notifications_pool, "pavilion-notifications")

    applying, release, handle = asyncio.Event(), asyncio.Event(), notifier.handle

    async def slow(event: CloudEvent) -> None:
        applying.set()
        await release.wait()
        await handle(event)

    notifier.handle = slow  # type: ignore[method-assign]
    redriving = asyncio.create_task(handler.redrive())
    await asyncio.wait_for(applying.wait(), 10)
    arriving = asyncio.create_task(handler.park_if_held(withdrawal))
    done, _ = await asyncio.wait({arriving}, timeout=0.5)
    assert not done  # it waits for the redrive of its record
    release.set()
    assert await redriving == 1
    assert await arriving is False  # nothing parked any more: the agent handles it
    notifier.handle = handle  # type: ignore[method-assign]
    await notifier.handle(from_kafka(withdrawal.value, withdrawal.headers))
    assert not await notifications_pool.fetchval("SELECT count(*) FROM parked_messages")
    assert await notifications_pool.fetchval("SELECT granted_at IS NULL FROM consents")
