"""Reminders before outreach events, to those who accepted.

Kept from outreach's events: an accepted RSVP schedules one reminder per offset
(7 days, 1 day) that was still ahead when the guest accepted; a declined answer or a
cancelled event cancels them; a rescheduled event moves them. Each is decided by when
its event happened (the event's time, on the service's clock), not by when it is
handled: an answer handled late (a lagging partition, a redelivery) still schedules
the reminders it was owed, which then go out at once. An event older than the last
one that moved or cancelled a reminder (its `event_version`) changes nothing.

The faust worker's timer fires what is due: each reminder once, through the notifier,
so consent and the ledger apply as to any notification; a reminder is marked FIRED in
the transaction that records its notification (and queues its email), so a crash
loses neither. One whose outreach event has begun by then is MISSED, not sent.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from pavilion_contracts.notifications import events as e
from pavilion_contracts.outreach import ConsentPurpose
from pavilion_contracts.reader import READER
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, Metadata

from notifications.journal import append_event
from notifications.rules import REMINDERS, Audience, Rule

log = logging.getLogger(__name__)
NAMESPACE = uuid.UUID("5e0b8a2f-9c61-4d3e-b7a4-1f2e3d4c5b6a")


async def accepted(conn: Connection, event: CloudEvent, at: datetime) -> None:
    d = event.data
    starts = await conn.fetchval(
        "SELECT starts_at FROM outreach_events WHERE event_id = $1", d["eventId"]
    )
    if starts is None:
        return
    for rule, before in REMINDERS:
        due = starts - before
        if due <= at:
            continue  # already too late for this one when the guest accepted
        reminder = str(uuid.uuid5(NAMESPACE, f"{d['eventId']}/{d['contactId']}/{rule}"))
        added = await conn.fetchval(
            """INSERT INTO reminders
                   (id, event_id, contact_id, rule, before, due_at, status, event_version)
               VALUES ($1, $2, $3, $4, $5, $6, 'SCHEDULED', $7)
               ON CONFLICT (event_id, contact_id, rule) DO NOTHING RETURNING true""",
            reminder,
            d["eventId"],
            d["contactId"],
            rule,
            before,
            due,
            event.stream_version,
        )
        if added:
            await append_event(
                conn,
                reminder,
                _meta(event),
                e.ReminderScheduled(
                    reminder_id=reminder,
                    event_id=d["eventId"],
                    contact_id=d["contactId"],
                    rule=rule,
                    due_at=due.isoformat(),
                ),
            )


async def declined(conn: Connection, event: CloudEvent, at: datetime) -> None:
    await conn.execute(
        """UPDATE reminders SET status = 'CANCELLED', event_version = $3
           WHERE event_id = $1 AND contact_id = $2 AND status = 'SCHEDULED'
             AND event_version < $3""",
        event.data["eventId"],
        event.data["contactId"],
        event.stream_version,
    )


async def event_cancelled(conn: Connection, event: CloudEvent, at: datetime) -> None:
    await conn.execute(
        """UPDATE reminders SET status = 'CANCELLED', event_version = $2
           WHERE event_id = $1 AND status = 'SCHEDULED' AND event_version < $2""",
        event.data["eventId"],
        event.stream_version,
    )


async def event_rescheduled(conn: Connection, event: CloudEvent, at: datetime) -> None:
    """Move every pending reminder with its event (one whose time had passed when the
    event moved is dropped)."""
    starts = datetime.fromisoformat(event.data["startsAt"])
    rows = await conn.fetch(
        """UPDATE reminders SET due_at = $2::timestamptz - before, event_version = $3
           WHERE event_id = $1 AND status = 'SCHEDULED' AND event_version < $3
           RETURNING id, contact_id, rule, due_at""",
        event.data["eventId"],
        starts,
        event.stream_version,
    )
    for row in rows:
        if row["due_at"] <= at:
            await conn.execute("UPDATE reminders SET status = 'CANCELLED' WHERE id = $1", row["id"])
            continue
        await append_event(
            conn,
            str(row["id"]),
            _meta(event),
            e.ReminderScheduled(
                reminder_id=str(row["id"]),
                event_id=event.data["eventId"],
                contact_id=str(row["contact_id"]),
                rule=row["rule"],
                due_at=row["due_at"].isoformat(),
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
        return Rule(
            self.rule_name, "", "event_reminder", Audience.CONTACT, ConsentPurpose.TRANSACTIONAL
        )

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
            recorded_time=now,
        )


async def claim_due(conn: Connection, now: datetime, limit: int) -> list[Due]:
    """Take up to `limit` reminders due now, marking them FIRED (and those whose event
    has begun MISSED). Call it in the transaction that records their notifications:
    FIRED commits with them or not at all, and meanwhile another timer run or worker
    skips them (SKIP LOCKED)."""
    await _missed(conn, now)
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
                reminder_id=reminder.reminder_id,
                event_id=reminder.event_id,
                contact_id=reminder.contact_id,
                rule=reminder.rule_name,
            ),
        )
    return due


async def _missed(conn: Connection, now: datetime) -> None:
    """Reminders of events that have begun (the worker was away, or the answer came
    too late) are not sent any more; each says so, and no event is published."""
    missed = await conn.fetch(
        """UPDATE reminders SET status = 'MISSED'
           WHERE id IN (SELECT id FROM reminders WHERE status = 'SCHEDULED'
                          AND due_at + before <= $1 FOR UPDATE SKIP LOCKED)
           RETURNING id""",
        now,
    )
    for row in missed:
        log.warning("reminder missed: its event has begun", extra={"reminder": str(row["id"])})


REACTIONS = {
    READER.ce_type("outreach", "RsvpAccepted"): accepted,
    READER.ce_type("outreach", "RsvpDeclined"): declined,
    READER.ce_type("outreach", "OutreachEventCancelled"): event_cancelled,
    READER.ce_type("outreach", "OutreachEventRescheduled"): event_rescheduled,
}
