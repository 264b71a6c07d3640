"""Notifications on real PostgreSQL and a real SMTP server: one email per notification
in the recipient's language, however often the event comes; consent and opt-outs
honoured, and what happened recorded as events. (Retries and crashes of the mail
queue: test_mail_queue.py.)"""

import uuid
from datetime import datetime, timedelta

import asyncpg
import httpx
from notifications.config import Config
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from notifications.public import create_app
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import CloudEvent
from pavilion_core.testing import FixedClock

from tests.integration.mail_support import SECRET
from tests.smtp_catcher import Mailbox
from tests.support import (
    STORY_TIME,
    assert_stored_events_valid,
    cloud_event,
    registered,
    scheduled,
    submitted_data,
)


async def contact(notifier: Notifier, email: str, language: str) -> str:
    contact_id = str(uuid.uuid4())
    await notifier.handle(
        cloud_event(
            "outreach",
            "ContactRegistered",
            contact_id,
            **registered(contact_id, "Amélie Tremblay", email, "CA", language),
        )
    )
    return contact_id


async def test_an_approved_application_sends_one_email_in_the_contacts_language(
    notifier: Notifier,
    mail: MailQueue,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
):
    await contact(notifier, "amelie@maple.example", "fr")
    app = str(uuid.uuid4())
    await notifier.handle(
        cloud_event(
            "exhibitors",
            "ApplicationSubmitted",
            app,
            **submitted_data(
                app,
                "Maple Robotics",
                "CA",
                [{"name": "Amélie Tremblay", "email": "Amelie@Maple.example", "phone": None}],
                "CLEAN_ENERGY",
            ),
        )
    )
    approved = cloud_event("exhibitors", "ApplicationApproved", app, applicationId=app)

    for _ in range(3):  # redelivered: still one email
        await notifier.handle(approved)
    assert await mail.send_due() == 2
    assert await mail.send_due() == 0

    messages = mailbox[1].messages()
    assert [m["Subject"] for m in messages] == [
        "Nous avons reçu la candidature de Maple Robotics pour CISCE-2026",
        "Maple Robotics est admise à exposer à CISCE-2026",
    ]
    assert all(m["To"] == "amelie@maple.example" for m in messages)
    assert "List-Unsubscribe" not in messages[1]  # transactional
    rows = await notifications_pool.fetch("SELECT status FROM notifications ORDER BY created_at")
    assert [r["status"] for r in rows] == ["SENT", "SENT"]
    types = await notifications_pool.fetch("SELECT type FROM events ORDER BY position")
    assert [r["type"] for r in types] == ["NotificationRequested"] * 2 + ["NotificationSent"] * 2


async def test_an_application_contact_is_written_to_in_the_language_the_application_names(
    notifier: Notifier, mail: MailQueue, mailbox: tuple[int, Mailbox]
):
    await contact(notifier, "amelie@maple.example", "fr")  # outreach knows her as French
    app = str(uuid.uuid4())
    people = [
        {"name": "Amélie Tremblay", "email": "amelie@maple.example", "phone": None},
        {"name": "Jonas Weber", "email": "jonas@maple.example", "phone": None},  # unknown
    ]
    data = submitted_data(app, "Maple Robotics", "CA", people, "CLEAN_ENERGY")
    address = {"streetLines": [], "city": None, "postalCode": None, "region": None}
    v2 = {
        **data,
        "address": {**address, "country": "CA"},
        "contacts": [{**people[0], "language": "de"}, {**people[1], "language": None}],
    }
    await notifier.handle(
        cloud_event("exhibitors", "ApplicationSubmitted", app, schema_version=2, **v2)
    )

    assert await mail.send_due() == 2
    subjects = {m["To"]: m["Subject"] for m in mailbox[1].messages()}
    assert subjects == {  # the application's word first, then outreach's, then English
        "amelie@maple.example": "Wir haben die Bewerbung von Maple Robotics für CISCE-2026 "
        "erhalten",
        "jonas@maple.example": "We received the application of Maple Robotics for CISCE-2026",
    }


async def click(link: str, database_url: str) -> None:
    """Follow the link the email carries to the public unsubscribe page, and press its
    button (what RFC 8058's one-click POST does too)."""
    config = Config(
        database_url,
        KafkaSettings("unused:1", 1, 1),
        clock=FixedClock(STORY_TIME),
        unsubscribe_secret=SECRET,
        public_url="http://notify.test",
    )
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notify.test") as http:
            response = await http.post(link.removeprefix("http://notify.test"))
    assert response.status_code == 200, response.text


async def test_marketing_needs_consent_and_an_unsubscribe_stops_the_next_mail(
    notifier: Notifier,
    mail: MailQueue,
    clock: FixedClock,
    mailbox: tuple[int, Mailbox],
    notifications_pool: asyncpg.Pool,
    notifications_url: str,
):
    jane = await contact(notifier, "jane@forum.example", "en")
    event_id = str(uuid.uuid4())
    await notifier.handle(
        cloud_event(
            "outreach",
            "OutreachEventScheduled",
            event_id,
            **scheduled(
                event_id,
                "Trade Forum",
                "Toronto",
                "CA",
                datetime.fromisoformat("2025-11-30T19:00:00+00:00"),
                datetime.fromisoformat("2025-11-30T23:00:00+00:00"),
            ),
        )
    )

    def invited() -> CloudEvent:
        return cloud_event("outreach", "ContactInvited", event_id, eventId=event_id, contactId=jane)

    await notifier.handle(invited())
    assert await mail.send_due() == 0
    assert mailbox[1].messages() == []
    suppressed = await notifications_pool.fetchrow("SELECT status, reason FROM notifications")
    assert (suppressed["status"], suppressed["reason"]) == ("SUPPRESSED", "NO_CONSENT")
    assert (
        await notifications_pool.fetchval(
            "SELECT count(*) FROM events WHERE type = 'NotificationSuppressed'"
        )
        == 1
    )

    await notifier.handle(
        cloud_event(
            "outreach",
            "ConsentGranted",
            jane,
            contactId=jane,
            channel="EMAIL",
            purpose="MARKETING",
            legalBasis="EXPRESS",
            evidence="form",
            grantedAt=STORY_TIME.isoformat(),
            expiresAt=None,
        )
    )
    await notifier.handle(invited())
    assert await mail.send_due() == 1
    [invitation] = mailbox[1].messages()
    assert invitation["Subject"].startswith("Invitation: Trade Forum, Toronto")
    link = invitation["List-Unsubscribe"].strip("<>")

    clock.advance(timedelta(minutes=1))
    await click(link, notifications_url)
    await notifier.handle(invited())
    assert await mail.send_due() == 0
    assert len(mailbox[1].messages()) == 1
    reasons = await notifications_pool.fetch(
        "SELECT reason FROM notifications WHERE status = 'SUPPRESSED' ORDER BY created_at"
    )
    assert [r["reason"] for r in reasons] == ["NO_CONSENT", "OPTED_OUT"]
    assert await assert_stored_events_valid(notifications_pool, "notifications") == {
        "NotificationRequested",
        "NotificationSuppressed",
        "NotificationSent",
        "RecipientOptedOut",
    }
