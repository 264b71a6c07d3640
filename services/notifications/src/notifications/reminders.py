"""Reminders before outreach events, to those who accepted.

Kept from outreach's events: an accepted RSVP schedules one reminder per offset
(7 days, 1 day) that is still ahead; a declined answer or a cancelled event cancels
them; a rescheduled event moves them. The faust worker's timer fires what is due:
each reminder once, through the notifier, so consent and the ledger apply as to any
notification; a reminder is marked FIRED in the transaction that records its
notification (and queues its email), so a crash loses neither.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, Metadata

from notifications import events as e
from notifications.journal import append_event
from notifications.rules import REMINDERS, Audience, Purpose, Rule

NAMESPACE = uuid.UUID("5e0b8a2f-9c61-4d3e-b7a4-1f2e3d4c5b6a")


async def accepted(conn: Connection, event: CloudEvent, now: datetime) -> None:
    d = event.data
    starts = await conn.fetchval(
        "SELECT starts_at FROM outreach_events WHERE event_id = $1", d["eventId"]
    )
    if starts is None:
        return
    for rule, before in REMINDERS:
        due = starts - before
        if due <= now:
            continue  # too late for this one
        reminder = str(uuid.uuid5(NAMESPACE, f"{d['eventId']}/{d['contactId']}/{rule}"))
        added = await conn.fetchval(
            """INSERT INTO reminders (id, event_id, contact_id, rule, before, due_at, status)
               VALUES ($1, $2, $3, $4, $5, $6, 'SCHEDULED')
               ON CONFLICT (event_id, contact_id, rule) DO NOTHING RETURNING true""",
            reminder,
            d["eventId"],
            d["contactId"],
            rule,
            before,
            due,
        )
        if added:
            await append_event(
                conn,
                reminder,
                _meta(event),
                e.ReminderScheduled(reminder, d["eventId"], d["contactId"], rule, due.isoformat()),
            )


async def declined(conn: Connection, event: CloudEvent, now: datetime) -> None:
    await conn.execute(
        """UPDATE reminders SET status = 'CANCELLED'
           WHERE event_id = $1 AND contact_id = $2 AND status = 'SCHEDULED'""",
        event.data["eventId"],
        event.data["contactId"],
    )


async def event_cancelled(conn: Connection, event: CloudEvent, now: datetime) -> None:
    await conn.execute(
        "UPDATE reminders SET status = 'CANCELLED' WHERE event_id = $1 AND status = 'SCHEDULED'",
        event.data["eventId"],
    )


async def event_rescheduled(conn: Connection, event: CloudEvent, now: datetime) -> None:
    """Move every pending reminder with its event (one whose time has passed is dropped)."""
    starts = datetime.fromisoformat(event.data["startsAt"])
    rows = await conn.fetch(
        """UPDATE reminders SET due_at = $2::timestamptz - before
           WHERE event_id = $1 AND status = 'SCHEDULED'
           RETURNING id, contact_id, rule, due_at""",
        event.data["eventId"],
        starts,
    )
    for row in rows:
        if row["due_at"] <= now:
            await conn.execute("UPDATE reminders SET status = 'CANCELLED' WHERE id = $1", row["id"])
            continue
        await append_event(
            conn,
            str(row["id"]),
            _meta(event),
            e.ReminderScheduled(
                str(row["id"]),
                event.data["eventId"],
                str(row["contact_id"]),
                row["rule"],
                row["due_at"].isoformat(),
            ),
        )


def _meta(event: CloudEvent) -> Metadata:
    return Metadata(
        correlation_id=event.correlation_id or event.id,
        causation_id=event.id,
        actor="notifications:reminders",
    )


@dataclass(frozen=True)
class Due:
    """A reminder whose time has come."""

    reminder_id: str
    event_id: str
    contact_id: str
    rule_name: str
    before: timedelta

    @property
    def rule(self) -> Rule:
        """Reminders go to the invitee who accepted (an event they asked to attend)."""
        return Rule(self.rule_name, "", "event_reminder", Audience.CONTACT, Purpose.TRANSACTIONAL)

    def trigger(self, now: datetime) -> CloudEvent:
        """The event the reminder's notification is caused by: its id is the
        reminder's, so the ledger knows the notification if the reminder fires again."""
        return CloudEvent(
            id=self.reminder_id,
            source="/pavilion/notifications",
            type="pavilion.notifications.ReminderFired.v1",
            subject=self.event_id,
            time=now,
            data={"eventId": self.event_id, "contactId": self.contact_id, "days": self.before.days},
            stream_version=1,
            correlation_id=self.reminder_id,
            causation_id=None,
            actor="notifications:reminders",
        )


async def claim_due(conn: Connection, now: datetime, limit: int) -> list[Due]:
    """Take up to `limit` reminders due now, marking them FIRED. Call it in the
    transaction that records their notifications: FIRED commits with them or not at
    all, and meanwhile another timer run or worker skips them (SKIP LOCKED)."""
    rows = await conn.fetch(
        """SELECT id, event_id, contact_id, rule, before FROM reminders
           WHERE status = 'SCHEDULED' AND due_at <= $1 ORDER BY due_at LIMIT $2
           FOR UPDATE SKIP LOCKED""",
        now,
        limit,
    )
    due = [
        Due(str(r["id"]), str(r["event_id"]), str(r["contact_id"]), r["rule"], r["before"])
        for r in rows
    ]
    for reminder in due:
        await conn.execute(
            "UPDATE reminders SET status = 'FIRED', fired_at = $2 WHERE id = $1",
            reminder.reminder_id,
            now,
        )
        await append_event(
            conn,
            reminder.reminder_id,
            Metadata(correlation_id=reminder.reminder_id, actor="notifications:reminders"),
            e.ReminderFired(
                reminder.reminder_id, reminder.event_id, reminder.contact_id, reminder.rule_name
            ),
        )
    return due


REACTIONS = {
    "pavilion.outreach.RsvpAccepted.v1": accepted,
    "pavilion.outreach.RsvpDeclined.v1": declined,
    "pavilion.outreach.OutreachEventCancelled.v1": event_cancelled,
    "pavilion.outreach.OutreachEventRescheduled.v1": event_rescheduled,
}
