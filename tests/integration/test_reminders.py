"""Reminders 7 days and 1 day before an outreach event, with an injected clock: each
fires once at its time, moves when the event is rescheduled, and is cancelled with
the event or a declined answer."""

import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import asyncpg
import pytest
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock

from tests.integration.mail_support import mail_queue, notifier
from tests.smtp_catcher import Mailbox
from tests.support import assert_stored_events_valid, cloud_event, registered, scheduled

STARTS = datetime(2025, 11, 30, 19, 0, tzinfo=UTC)


async def test_reminders_fire_once_on_time_and_move_with_the_event(
    notifications_pool: asyncpg.Pool,
    mailbox: tuple[int, Mailbox],
    sealer: Sealer,
):
    clock = FixedClock(datetime(2025, 11, 20, 9, 0, tzinfo=UTC))
    notify = notifier(notifications_pool, mailbox[0], clock, sealer)
    event, guests = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(2)]
    for n, guest in enumerate(guests):
        await notify.handle(
            cloud_event(
                "outreach",
                "ContactRegistered",
                guest,
                **registered(guest, f"Guest {n}", f"guest{n}@example.ca", "CA", "en"),
            )
        )
    await notify.handle(
        cloud_event(
            "outreach",
            "OutreachEventScheduled",
            event,
            **scheduled(
                event,
                "Trade Forum",
                "Toronto",
                "CA",
                STARTS,
                (STARTS + timedelta(hours=4)),
                venue="MTCC",
            ),
        )
    )
    for n, guest in enumerate(guests):
        await notify.handle(
            cloud_event(
                "outreach", "RsvpAccepted", event, version=2 + n, eventId=event, contactId=guest
            )
        )
    await notify.handle(
        cloud_event(
            "outreach", "RsvpDeclined", event, version=4, eventId=event, contactId=guests[1]
        )
    )  # changed their mind

    async def fire_at(moment: datetime) -> list[str]:
        clock.current = moment
        await notify.fire_reminders()
        await mail_queue(notifications_pool, mailbox[0], clock, sealer).send_due()
        return [m["Subject"] for m in reminders()]

    def reminders() -> list[EmailMessage]:  # RSVP confirmations are mailed too
        return [m for m in mailbox[1].messages() if m["Subject"].startswith("Reminder")]

    assert await fire_at(STARTS - timedelta(days=7, minutes=1)) == []
    assert await fire_at(STARTS - timedelta(days=7)) == [
        "Reminder: Trade Forum on 2025-11-30 19:00 UTC"
    ]
    assert len(await fire_at(STARTS - timedelta(days=6))) == 1  # once, however often it runs

    moved = STARTS + timedelta(days=1)
    await notify.handle(
        cloud_event(
            "outreach",
            "OutreachEventRescheduled",
            event,
            version=5,
            eventId=event,
            startsAt=moved.isoformat(),
            endsAt=(moved + timedelta(hours=4)).isoformat(),
        )
    )
    assert len(await fire_at(STARTS - timedelta(hours=23))) == 1  # the old time: nothing
    assert (await fire_at(moved - timedelta(days=1)))[1:] == [
        "Reminder: Trade Forum on 2025-12-01 19:00 UTC"
    ]
    assert all(m["To"] == "guest0@example.ca" for m in reminders())

    assert await assert_stored_events_valid(notifications_pool, "notifications") >= {
        "ReminderScheduled",
        "ReminderFired",
    }
    fired = await notifications_pool.fetchval(
        "SELECT count(*) FROM events WHERE type = 'ReminderFired'"
    )
    assert fired == 2


async def test_a_cancelled_event_cancels_its_reminders(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    clock = FixedClock(datetime(2025, 11, 20, 9, 0, tzinfo=UTC))
    notify = notifier(notifications_pool, mailbox[0], clock, sealer)
    event, guest = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.handle(
        cloud_event(
            "outreach",
            "OutreachEventScheduled",
            event,
            **scheduled(
                event,
                "Breakfast",
                "Oakland",
                "US",
                STARTS,
                (STARTS + timedelta(hours=2)),
                kind="NETWORKING_BREAKFAST",
            ),
        )
    )
    await notify.handle(
        cloud_event("outreach", "RsvpAccepted", event, version=2, eventId=event, contactId=guest)
    )
    await notify.handle(
        cloud_event(
            "outreach", "OutreachEventCancelled", event, version=3, eventId=event, reason="storm"
        )
    )
    clock.current = STARTS
    assert await notify.fire_reminders() == 0
    assert [m for m in mailbox[1].messages() if m["Subject"].startswith("Reminder")] == []


async def test_a_reminder_whose_notification_cannot_be_recorded_stays_due(
    notifications_pool: asyncpg.Pool, mailbox: tuple[int, Mailbox], sealer: Sealer
):
    clock = FixedClock(datetime(2025, 11, 20, 9, 0, tzinfo=UTC))
    notify = notifier(notifications_pool, mailbox[0], clock, sealer)
    event, guest = str(uuid.uuid4()), str(uuid.uuid4())
    await notify.handle(
        cloud_event(
            "outreach",
            "ContactRegistered",
            guest,
            **registered(guest, "Guest", "guest@example.ca", "CA", "en"),
        )
    )
    await notify.handle(
        cloud_event(
            "outreach",
            "OutreachEventScheduled",
            event,
            **scheduled(
                event, "Trade Forum", "Toronto", "CA", STARTS, (STARTS + timedelta(hours=4))
            ),
        )
    )
    await notify.handle(
        cloud_event("outreach", "RsvpAccepted", event, eventId=event, contactId=guest)
    )
    clock.current = STARTS - timedelta(days=1)  # both reminders are due
    # the database refuses the queued emails (a fault between the reminder and its mail)
    await notifications_pool.execute(
        "ALTER TABLE mail_queue ADD CONSTRAINT refuse CHECK (false) NOT VALID"
    )

    with pytest.raises(asyncpg.CheckViolationError):
        await notify.fire_reminders()

    statuses = await notifications_pool.fetch("SELECT status FROM reminders")
    assert [r["status"] for r in statuses] == ["SCHEDULED", "SCHEDULED"]
    await notifications_pool.execute("ALTER TABLE mail_queue DROP CONSTRAINT refuse")
    assert await notify.fire_reminders() == 2
    assert await mail_queue(notifications_pool, mailbox[0], clock, sealer).send_due() == 3
    subjects = sorted(m["Subject"] for m in mailbox[1].messages())  # and the RSVP's
    assert subjects[:2] == ["Reminder: Trade Forum on 2025-11-30 19:00 UTC"] * 2
