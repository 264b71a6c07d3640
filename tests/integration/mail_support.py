"""What the notification tests share: a notifier and a mail queue on the test's own
database and SMTP catcher, and the events that make mail."""

import uuid
from typing import Any

import asyncpg
from notifications.context import Sender
from notifications.emails import Templates
from notifications.mailer import Mailer
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from notifications.unsubscribe import UnsubscribeLinks
from pavilion_core.clock import Clock
from pavilion_core.envelope import CloudEvent
from pavilion_core.outages import Backoff
from pavilion_core.personal import Sealer

from tests.support import cloud_event, submitted_data

SECRET = "s" * 40
LINKS = UnsubscribeLinks(SECRET, "http://notify.test")
SENDER_ADDRESS = "expo@cisce.test"


def mailer(port: int, timeout: float = 10.0) -> Mailer:
    return Mailer("127.0.0.1", port, "CISCE Organising Committee", SENDER_ADDRESS, timeout)


def notifier(pool: asyncpg.Pool, port: int, clock: Clock, sealer: Sealer) -> Notifier:
    return Notifier(
        pool=pool,
        templates=Templates(),
        mailer=mailer(port),
        links=LINKS,
        clock=clock,
        sender=Sender("CISCE Organising Committee", "1 Fuxingmennei St, Beijing", "staff.test"),
        sealer=sealer,
    )


def mail_queue(
    pool: asyncpg.Pool, port: int, clock: Clock, sealer: Sealer, **settings: Any
) -> MailQueue:
    """A queue that retries after 60 s, 120 s, … (±20 %), 4 attempts in all, unless told."""
    return MailQueue(
        pool,
        mailer(port),
        clock,
        sealer,
        **{"max_attempts": 4, "backoff": Backoff(60, 600), **settings},
    )


def submitted(*contacts: str) -> CloudEvent:
    """An application naming `contacts` (addresses): one email to each."""
    app = str(uuid.uuid4())
    return cloud_event(
        "exhibitors",
        "ApplicationSubmitted",
        app,
        **submitted_data(
            app,
            "Maple Robotics",
            "CA",
            [{"name": f"Contact {n}", "email": c, "phone": None} for n, c in enumerate(contacts)],
            "CLEAN_ENERGY",
        ),
    )


async def queue(pool: asyncpg.Pool) -> dict[str, asyncpg.Record]:
    """The mail queue's rows by recipient."""
    rows = await pool.fetch(
        "SELECT notification_id::text AS id, recipient, status, attempts, next_attempt_at, "
        "last_error, message FROM mail_queue"
    )
    return {r["recipient"]: r for r in rows}
