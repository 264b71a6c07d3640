"""From an event to the messages it causes, each exactly once.

For every rule the event triggers and every recipient of it, the transaction that
applies the event (one for a whole batch of them) writes the notification's id
(event, rule, recipient) to the ledger, decides consent (a suppressed message is
recorded with its reason), renders the email in the recipient's language and puts it
in the mail queue (mailqueue.py), which sends it with no transaction open. A
redelivered or replayed event finds the ledger row and queues nothing; a crash before
the commit leaves nothing, after it a message that will be sent. What the service did
is appended to its event store (stream = notification id) in the same transactions,
for the relay to publish.

An event that is history (imported with its original time, long before it was
recorded: pavilion_core.envelope.is_history) updates the views and nothing else: no
email, no webhook, no reminder.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from jinja2 import TemplateError
from pavilion_contracts.notifications import NotificationStatus, SuppressionReason
from pavilion_contracts.notifications import events as e
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose
from pavilion_core.aggregate import Event
from pavilion_core.clock import Clock, happened_at
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent, Metadata
from pavilion_core.logging import correlation_id, describe
from pavilion_core.personal import Sealer
from pavilion_core.vault import pseudonym

from notifications import reminders
from notifications.consent import suppression
from notifications.context import Addressee, Sender, template_context
from notifications.deliveries import active_endpoints, enqueue
from notifications.emails import Templates
from notifications.forgetting import erase_late
from notifications.journal import Journal, append_event, append_events
from notifications.mailer import Mailer
from notifications.mailqueue import queue_email
from notifications.rules import Audience, Rule, notification_id, rules_for
from notifications.unsubscribe import UnsubscribeLinks
from notifications.views import VIEWS, recipient_view

log = logging.getLogger(__name__)
REMINDER_BATCH = 100  # reminders recorded per transaction (the timer comes back for more)


@dataclass
class Notifier:
    pool: Pool
    templates: Templates
    mailer: Mailer  # composes the messages it queues; the mail queue sends them
    links: UnsubscribeLinks
    clock: Clock
    sender: Sender
    sealer: Sealer

    async def handle(self, event: CloudEvent) -> None:
        await self.handle_all([event])

    async def handle_all(self, events: Sequence[CloudEvent]) -> None:
        """Apply `events` in order, all in one transaction (one commit for a batch):
        each one's views, reminders and webhook deliveries, then its notifications."""
        async with self.pool.acquire() as conn, conn.transaction():
            journal: Journal = []
            endpoints = await active_endpoints(conn)
            for event in events:
                token = correlation_id.set(event.correlation_id)
                try:
                    await self._apply(conn, journal, endpoints, event)
                finally:
                    correlation_id.reset(token)
            await append_events(conn, journal, self.sealer)

    async def _apply(
        self,
        conn: Connection,
        journal: Journal,
        endpoints: Sequence[asyncpg.Record],
        event: CloudEvent,
    ) -> None:
        if view := VIEWS.get(event.type):
            await view(conn, event)
        if event.is_history:  # views only: history notifies no one (envelope.is_history)
            return
        if react := reminders.REACTIONS.get(event.type):
            await react(conn, event, happened_at(self.clock, event.time))
        await enqueue(conn, event, self.clock.now(), endpoints)
        await erase_late(conn, event)
        for rule in rules_for(event.type):
            for addressee in await self.addressees(conn, rule, event):
                await self.record(conn, journal, rule, event, addressee)

    async def fire_reminders(self) -> int:
        """Record the notifications of the reminders due now (the faust timer calls
        this), each reminder marked FIRED in the same transaction; returns how many."""
        now = self.clock.now()
        async with self.pool.acquire() as conn, conn.transaction():
            due = await reminders.claim_due(conn, now, REMINDER_BATCH)
            journal: Journal = []
            for reminder in due:
                trigger = reminder.trigger(now)
                for addressee in await self.addressees(conn, reminder.rule, trigger):
                    await self.record(conn, journal, reminder.rule, trigger, addressee)
            await append_events(conn, journal, self.sealer)
        return len(due)

    async def addressees(
        self, db: "Connection | Pool", rule: Rule, event: CloudEvent
    ) -> list[Addressee]:
        d = event.data
        if rule.audience is Audience.APPLICATION_CONTACTS:
            rows = await db.fetch(
                """SELECT a.email, a.name, coalesce(a.language, r.language, 'en') AS language
                   FROM application_contacts a LEFT JOIN recipients r ON r.email = a.email
                   WHERE a.application_id = $1 AND NOT a.removed ORDER BY a.email""",
                d["applicationId"],
            )
            return [Addressee(r["email"], r["name"], r["language"]) for r in rows]
        if rule.audience is Audience.OFFER_CONTACTS:
            return await _offer_contacts(db, d["contacts"])
        if rule.audience is Audience.CONTACT:
            row = await db.fetchrow(
                """SELECT email, name, language FROM recipients
                   WHERE contact_id = $1 AND NOT forgotten""",
                d["contactId"],
            )
            if row is None:  # recorded as such, never silently dropped (nor the forgotten)
                return [Addressee(f"contact:{d['contactId']}", "", "en", known=False)]
            return [Addressee(row["email"], row["name"], row["language"])]
        owner = str(d["owner"])
        address = owner if "@" in owner else f"{owner}@{self.sender.staff_domain}"
        return [Addressee(address.lower(), owner, "en")]

    async def record(
        self, conn: Connection, journal: Journal, rule: Rule, event: CloudEvent, to: Addressee
    ) -> None:
        """Ledger, consent and the queued email, in the caller's transaction, the events
        that say so added to `journal` (the caller appends it before committing: sealed
        together); nothing when the ledger knows the notification already (never a
        second message)."""
        nid = notification_id(event.id, rule.name, to.address)
        meta = Metadata(
            correlation_id=event.correlation_id or event.id,
            causation_id=event.id,
            actor="notifications",
        )
        if not await self._record_new(conn, journal, nid, rule, event, to, meta):
            return
        reason = await self._suppression(conn, rule, to)
        if reason is None:
            await self._queue(conn, journal, nid, rule, event, to, meta)
            return
        log.info("notification suppressed", extra={"notification": nid, "reason": reason})
        suppressed = e.NotificationSuppressed(
            notification_id=nid,
            rule=rule.name,
            recipient=to.address,
            related_id=event.subject,
            trigger_event_id=event.id,
            reason=reason,
        )
        await self._settle(
            conn, journal, nid, meta, suppressed, NotificationStatus.SUPPRESSED, reason
        )

    async def _suppression(
        self, conn: Connection, rule: Rule, to: Addressee
    ) -> SuppressionReason | None:
        if not to.known:
            return SuppressionReason.UNKNOWN_RECIPIENT
        view = await recipient_view(conn, to.address, to.language)
        return suppression(view, ConsentChannel.EMAIL, rule.purpose, self.clock.now())

    async def _queue(
        self,
        conn: Connection,
        journal: Journal,
        nid: str,
        rule: Rule,
        event: CloudEvent,
        to: Addressee,
        meta: Metadata,
    ) -> None:
        linked = rule.unsubscribe or rule.purpose is ConsentPurpose.MARKETING
        link = self.links.link(to.address) if linked else None
        try:
            context = await template_context(conn, self.sender, event, to, link)
            email = self.templates.render(rule.template, to.language, context)
        except TemplateError as exc:  # nothing to send, now or at any later attempt
            log.warning("notification failed", extra={"notification": nid, "error": describe(exc)})
            failed = e.NotificationFailed(
                notification_id=nid, recipient=to.address, error=repr(exc)
            )
            await self._settle(
                conn, journal, nid, meta, failed, NotificationStatus.FAILED, repr(exc)
            )
            return
        message = self.mailer.compose(to.address, email, nid, link)
        await queue_email(conn, nid, to.address, email.language, message, meta, self.clock.now())
        log.info("notification queued", extra={"notification": nid, "rule": rule.name})

    async def _record_new(
        self,
        conn: Connection,
        journal: Journal,
        nid: str,
        rule: Rule,
        event: CloudEvent,
        to: Addressee,
        meta: Metadata,
    ) -> bool:
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
            self.clock.now(),
        )
        if inserted:
            requested = e.NotificationRequested(
                notification_id=nid,
                rule=rule.name,
                template=rule.template,
                channel="EMAIL",
                purpose=rule.purpose,
                recipient=to.address,
                related_id=event.subject,
                trigger_event_id=event.id,
            )
            journal.append((nid, meta, requested))
        return inserted is True

    async def _settle(
        self,
        conn: Connection,
        journal: Journal,
        nid: str,
        meta: Metadata,
        event: Event,
        status: str,
        reason: str,
    ) -> None:
        """A notification that will not be queued: its status, reason and event."""
        await conn.execute(
            "UPDATE notifications SET status = $2, reason = $3, updated_at = $4 WHERE id = $1",
            nid,
            status,
            reason,
            self.clock.now(),
        )
        journal.append((nid, meta, event))


async def _offer_contacts(
    db: "Connection | Pool", contacts: list[dict[str, Any]]
) -> list[Addressee]:
    """The contact persons a re-booking offer names (a forgotten one reads as null: none),
    each in their language, else the one outreach knows for the address, else English."""
    people = [c for c in contacts if c.get("email")]
    rows = await db.fetch(
        "SELECT email, language FROM recipients WHERE email = ANY($1::text[])",
        [c["email"] for c in people],
    )
    known = {r["email"]: r["language"] for r in rows}
    return [
        Addressee(c["email"], c["name"] or "", c["language"] or known.get(c["email"]) or "en")
        for c in people
    ]


async def opt_in(
    pool: Pool, sealer: Sealer, address: str, evidence: str, now: datetime, meta: Metadata
) -> bool:
    """Lift an opt-out, only on the recipient's explicit request (its `evidence` is
    recorded with the event); True if there was one."""
    async with pool.acquire() as conn, conn.transaction():
        removed = await conn.fetchval(
            "DELETE FROM opt_outs WHERE address = $1 RETURNING true", address.lower()
        )
        if removed:
            await append_event(
                conn,
                recipient_stream(address),
                meta,
                e.RecipientOptedIn(
                    address=address.lower(), opted_in_at=now.isoformat(), evidence=evidence
                ),
                sealer=sealer,
            )
    return removed is True


async def opt_out(pool: Pool, sealer: Sealer, address: str, now: datetime, meta: Metadata) -> bool:
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
                recipient_stream(address),
                meta,
                e.RecipientOptedOut(address=address.lower(), opted_out_at=now.isoformat()),
                sealer=sealer,
            )
    return added is True


def recipient_stream(address: str) -> str:
    """A recipient's stream: named by a keyed hash of the address, never the address."""
    return f"recipient:{pseudonym(address)}"
