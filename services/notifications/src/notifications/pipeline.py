"""From an event to the messages it causes, each exactly once.

For every rule the event triggers and every recipient of it, the notification's id
(event, rule, recipient) is written to the ledger before anything is sent; a
redelivered or replayed event finds it there and sends nothing. Consent decides
next: a suppressed message is recorded with its reason. Then the email is rendered
in the recipient's language and handed to SMTP; the outcome is recorded. What the
service did is appended to its event store (stream = notification id) for the
relay to publish.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosmtplib
from jinja2 import TemplateError
from pavilion_core.aggregate import Event
from pavilion_core.clock import Clock
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent, Metadata

from notifications import events as e
from notifications import reminders
from notifications.consent import ConsentGrant, RecipientView, suppression
from notifications.deliveries import enqueue
from notifications.emails import Templates
from notifications.journal import append_event
from notifications.mailer import Mailer
from notifications.rules import Audience, Channel, Purpose, Rule, notification_id, rules_for
from notifications.unsubscribe import UnsubscribeLinks
from notifications.views import VIEWS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sender:
    """Who the mail is from, as every footer says."""

    name: str
    postal_address: str
    staff_domain: str  # owners named without a domain get <owner>@<staff_domain>


@dataclass(frozen=True)
class Addressee:
    address: str
    name: str
    language: str


@dataclass
class Notifier:
    pool: Pool
    templates: Templates
    mailer: Mailer
    links: UnsubscribeLinks
    clock: Clock
    sender: Sender

    async def handle(self, event: CloudEvent) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            if view := VIEWS.get(event.type):
                await view(conn, event)
            if react := reminders.REACTIONS.get(event.type):
                await react(conn, event, self.clock.now())
            await enqueue(conn, event, self.clock.now())
        for rule in rules_for(event.type):
            for addressee in await self.addressees(rule, event):
                await self.notify(rule, event, addressee)

    async def fire_reminders(self) -> int:
        """Send the reminders due now (the faust timer calls this); returns how many."""
        now = self.clock.now()
        due = await reminders.claim_due(self.pool, now)
        for reminder, event_id, contact, rule_name, before in due:
            rule = Rule(rule_name, "", "event_reminder", Audience.CONTACT, Purpose.TRANSACTIONAL)
            trigger = CloudEvent(
                id=reminder,
                source="/pavilion/notifications",
                type="pavilion.notifications.ReminderFired.v1",
                subject=event_id,
                time=now,
                data={"eventId": event_id, "contactId": contact, "days": before.days},
                stream_version=1,
                correlation_id=reminder,
                causation_id=None,
                actor="notifications:reminders",
            )
            for addressee in await self.addressees(rule, trigger):
                await self.notify(rule, trigger, addressee)
        return len(due)

    async def addressees(self, rule: Rule, event: CloudEvent) -> list[Addressee]:
        d = event.data
        if rule.audience is Audience.APPLICATION_CONTACTS:
            rows = await self.pool.fetch(
                """SELECT a.email, a.name, coalesce(r.language, 'en') AS language
                   FROM application_contacts a LEFT JOIN recipients r ON r.email = a.email
                   WHERE a.application_id = $1 ORDER BY a.email""",
                d["applicationId"],
            )
            return [Addressee(r["email"], r["name"], r["language"]) for r in rows]
        if rule.audience is Audience.CONTACT:
            row = await self.pool.fetchrow(
                "SELECT email, name, language FROM recipients WHERE contact_id = $1", d["contactId"]
            )
            return [Addressee(row["email"], row["name"], row["language"])] if row else []
        owner = str(d["owner"])
        address = owner if "@" in owner else f"{owner}@{self.sender.staff_domain}"
        return [Addressee(address.lower(), owner, "en")]

    async def notify(self, rule: Rule, event: CloudEvent, to: Addressee) -> None:
        nid = notification_id(event.id, rule.name, to.address)
        meta = Metadata(
            correlation_id=event.correlation_id or event.id,
            causation_id=event.id,
            actor="notifications",
        )
        async with self.pool.acquire() as conn, conn.transaction():
            if not await self._record_new(conn, nid, rule, event, to):
                return  # this event was handled before: never a second message
            reason = suppression(
                await self._view(conn, to), Channel.EMAIL, rule.purpose, self.clock.now()
            )
            if reason is not None:
                log.info("notification suppressed", extra={"notification": nid, "reason": reason})
                await self._status(conn, nid, "SUPPRESSED", reason)
                await append_event(
                    conn,
                    nid,
                    meta,
                    e.NotificationSuppressed(
                        nid, rule.name, to.address, event.subject, event.id, reason
                    ),
                )
                return
        await self._send(nid, rule, event, to, meta)

    async def _send(
        self, nid: str, rule: Rule, event: CloudEvent, to: Addressee, meta: Metadata
    ) -> None:
        link = self.links.link(to.address) if rule.purpose is Purpose.MARKETING else None
        try:
            context = await self._context(rule, event, to, link)
            email = self.templates.render(rule.template, to.language, context)
            await self.mailer.send(to.address, email, nid, link)
        except (aiosmtplib.SMTPException, OSError, TemplateError) as exc:
            log.warning("notification failed", extra={"notification": nid, "error": repr(exc)})
            outcome: tuple[str, str | None, Event] = (
                "FAILED",
                repr(exc),
                e.NotificationFailed(nid, to.address, repr(exc)),
            )
        else:
            log.info("notification sent", extra={"notification": nid, "rule": rule.name})
            outcome = ("SENT", None, e.NotificationSent(nid, to.address, email.language))
        async with self.pool.acquire() as conn, conn.transaction():
            await self._status(conn, nid, outcome[0], outcome[1])
            await append_event(conn, nid, meta, outcome[2])

    async def _record_new(
        self, conn: Connection, nid: str, rule: Rule, event: CloudEvent, to: Addressee
    ) -> bool:
        now = self.clock.now()
        inserted = await conn.fetchval(
            """INSERT INTO notifications (id, rule, template, channel, purpose, recipient,
                   related_id, trigger_event_id, status, created_at, updated_at)
               VALUES ($1, $2, $3, 'EMAIL', $4, $5, $6, $7, 'REQUESTED', $8, $8)
               ON CONFLICT (id) DO NOTHING RETURNING true""",
            nid,
            rule.name,
            rule.template,
            rule.purpose,
            to.address,
            event.subject,
            event.id,
            now,
        )
        if inserted:
            await append_event(
                conn,
                nid,
                Metadata(
                    correlation_id=event.correlation_id or event.id,
                    causation_id=event.id,
                    actor="notifications",
                ),
                e.NotificationRequested(
                    nid,
                    rule.name,
                    rule.template,
                    "EMAIL",
                    rule.purpose,
                    to.address,
                    event.subject,
                    event.id,
                ),
            )
        return inserted is True

    async def _view(self, conn: Connection, to: Addressee) -> RecipientView:
        opted_out = await conn.fetchval("SELECT true FROM opt_outs WHERE address = $1", to.address)
        rows = await conn.fetch(
            """SELECT c.channel, c.purpose, c.granted_at, c.expires_at FROM consents c
               JOIN recipients r ON r.contact_id = c.contact_id WHERE r.email = $1""",
            to.address,
        )
        return RecipientView(
            to.address,
            to.language,
            bool(opted_out),
            {
                (r["channel"], Purpose(r["purpose"])): ConsentGrant(
                    r["granted_at"], r["expires_at"]
                )
                for r in rows
            },
        )

    async def _status(self, conn: Connection, nid: str, status: str, reason: str | None) -> None:
        await conn.execute(
            "UPDATE notifications SET status = $2, reason = $3, updated_at = $4 WHERE id = $1",
            nid,
            status,
            reason,
            self.clock.now(),
        )

    async def _context(
        self, rule: Rule, event: CloudEvent, to: Addressee, link: str | None
    ) -> dict[str, Any]:
        d = event.data
        context: dict[str, Any] = {
            "recipient_name": to.name,
            "sender": self.sender.name,
            "postal_address": self.sender.postal_address,
            "unsubscribe_url": link,
            **{k: v for k, v in _fields(d).items()},
        }
        if "applicationId" in d:
            row = await self.pool.fetchrow(
                "SELECT edition, company_name FROM applications WHERE application_id = $1",
                d["applicationId"],
            )
            if row:
                context.update(
                    company=row["company_name"],
                    edition_name=row["edition"],
                    application_id=d["applicationId"],
                )
        if "eventId" in d:
            row = await self.pool.fetchrow(
                "SELECT name, city, venue, starts_at FROM outreach_events WHERE event_id = $1",
                d["eventId"],
            )
            if row:
                context.update(
                    event_name=row["name"],
                    city=row["city"],
                    venue=row["venue"],
                    starts_at=_when(row["starts_at"]),
                )
        if "interestId" in d:
            row = await self.pool.fetchrow(
                """SELECT i.kind, r.name AS contact_name, o.name AS organization_name
                   FROM interests i LEFT JOIN recipients r ON r.contact_id = i.contact_id
                   LEFT JOIN organizations o ON o.organization_id = i.organization_id
                   WHERE i.interest_id = $1""",
                d["interestId"],
            )
            if row:
                context.update(
                    kind=row["kind"],
                    contact_name=row["contact_name"],
                    organization_name=row["organization_name"],
                )
        return context


def _fields(d: dict[str, Any]) -> dict[str, Any]:
    """Event fields templates use, under their template names."""
    out: dict[str, Any] = {}
    if "reason" in d:
        out["reason"] = d["reason"]
    if "boothCode" in d:
        out.update(booth_code=d["boothCode"], hall=d["hall"], size_sqm=d.get("sizeSqm"))
    if "amount" in d and "dueDate" in d:
        out.update(
            amount=f"{d['amount'] / 100:,.2f}", currency=d["currency"], due_date=d["dueDate"]
        )
    if "dueAt" in d:
        out["due_at"] = _when(datetime.fromisoformat(d["dueAt"]))
    return out


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


async def opt_in(pool: Pool, address: str, evidence: str, now: datetime, meta: Metadata) -> bool:
    """Lift an opt-out, only on the recipient's explicit request (its `evidence` is
    recorded with the event); True if there was one."""
    async with pool.acquire() as conn, conn.transaction():
        removed = await conn.fetchval(
            "DELETE FROM opt_outs WHERE address = $1 RETURNING true", address.lower()
        )
        if removed:
            await append_event(
                conn,
                f"recipient:{address.lower()}",
                meta,
                e.RecipientOptedIn(address.lower(), now.isoformat(), evidence),
            )
    return removed is True


async def opt_out(pool: Pool, address: str, now: datetime, meta: Metadata) -> bool:
    """Stop all mail to `address` at once; True when it was not opted out already."""
    async with pool.acquire() as conn, conn.transaction():
        added = await conn.fetchval(
            """INSERT INTO opt_outs (address, opted_out_at) VALUES ($1, $2)
               ON CONFLICT (address) DO NOTHING RETURNING true""",
            address.lower(),
            now,
        )
        if added:
            await append_event(
                conn,
                f"recipient:{address.lower()}",
                meta,
                e.RecipientOptedOut(address.lower(), now.isoformat()),
            )
    return added is True
