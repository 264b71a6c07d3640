"""The mail queue: each email's durable send state (PENDING, SENDING, then SENT,
FAILED or SUPPRESSED), written with its notification (sql/005_mail_queue.sql), and
the sender that works through it (the faust worker's mail timer drives it).

A sender claims due messages with a lease in one short statement, sends them
concurrently with nothing held, over the mailer's kept connections (a slow SMTP
server delays only mail), and records each outcome while it still holds the lease,
in one short transaction with the outcomes that ended while the previous one was
committing. A transient failure (a 4xx reply, the network) is tried again after
a capped exponential backoff with jitter, up to `max_attempts`; a permanent one (5xx)
fails at once with the server's reply as the reason. An opt-out or a withdrawal of
consent that comes while a message waits wins: it is suppressed at its next attempt.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID, uuid4

import aiosmtplib
import asyncpg
from pavilion_contracts.notifications import NotificationStatus
from pavilion_contracts.notifications import events as e
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose
from pavilion_core.aggregate import Event
from pavilion_core.clock import Clock
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import Metadata
from pavilion_core.logging import correlation_id, describe
from pavilion_core.outages import Backoff
from pavilion_core.personal import Sealer

from notifications.consent import RecipientView, suppression
from notifications.journal import append_events
from notifications.mailer import Mailer, transient
from notifications.views import recipient_views

log = logging.getLogger(__name__)
TURNS = 4  # a claim holds this many messages for each connection, waiting their turn
_CLAIM = """
    WITH due AS (
        SELECT notification_id FROM mail_queue
        WHERE status IN ('PENDING', 'SENDING') AND next_attempt_at <= $1
          AND (status = 'PENDING' OR leased_until < now())
        ORDER BY next_attempt_at LIMIT $2
        FOR UPDATE SKIP LOCKED),
    claimed AS (
        UPDATE mail_queue q SET status = 'SENDING', attempts = q.attempts + 1, lease_id = $3,
            leased_until = now() + make_interval(secs => $4), updated_at = $1
        FROM due, notifications n
        WHERE q.notification_id = due.notification_id AND n.id = q.notification_id
        RETURNING q.notification_id, q.recipient, q.language, q.message, q.attempts,
            q.correlation_id, q.causation_id, n.purpose, q.created_at)
    SELECT * FROM claimed ORDER BY created_at"""
_RECORD = """
    UPDATE mail_queue q SET status = o.status,
        next_attempt_at = coalesce(o.retry_at, q.next_attempt_at), last_error = o.reason,
        updated_at = $6, lease_id = NULL, leased_until = NULL,
        message = CASE WHEN o.status = 'PENDING' THEN q.message END
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[])
        AS o (id, lease, status, retry_at, reason)
    WHERE q.notification_id = o.id AND q.lease_id = o.lease
    RETURNING q.notification_id"""
_SETTLE = """
    UPDATE notifications n SET status = o.status, reason = o.reason, updated_at = $4
    FROM unnest($1::uuid[], $2::text[], $3::text[]) AS o (id, status, reason), mail_queue q
    WHERE n.id = o.id AND q.notification_id = n.id
    RETURNING n.id, n.recipient, n.rule, n.related_id, n.trigger_event_id, n.status, n.reason,
        q.language"""


async def queue_email(
    conn: Connection,
    nid: str,
    to: str,
    language: str,
    message: bytes,
    meta: Metadata,
    now: datetime,
) -> None:
    """Due at once; call in the transaction that records the notification."""
    await conn.execute(
        """INSERT INTO mail_queue (notification_id, recipient, language, message, status,
               next_attempt_at, correlation_id, causation_id, created_at, updated_at)
           VALUES ($1, $2, $3, $4, 'PENDING', $5, $6, $7, $5, $5)""",
        UUID(nid),
        to,
        language,
        message,
        now,
        meta.correlation_id,
        meta.causation_id,
    )


@dataclass(frozen=True)
class Claimed:
    """A message this sender holds the lease of; `attempts` counts this one."""

    notification_id: str
    recipient: str
    language: str
    message: bytes
    purpose: ConsentPurpose
    attempts: int
    meta: Metadata
    lease: UUID

    @classmethod
    def from_row(cls, row: asyncpg.Record, lease: UUID) -> "Claimed":
        meta = Metadata(row["correlation_id"], row["causation_id"], "notifications")
        return cls(
            str(row["notification_id"]),
            row["recipient"],
            row["language"],
            row["message"],
            ConsentPurpose(row["purpose"]),
            row["attempts"],
            meta,
            lease,
        )


@dataclass(frozen=True)
class Outcome:
    """PENDING (again, at `next_attempt_at`), SENT, FAILED or SUPPRESSED; `reason` is
    the error, or the suppression."""

    status: str
    reason: str | None = None
    next_attempt_at: datetime | None = None


@dataclass
class MailQueue:
    """Sends due mail. A lease must outlast one attempt (the mailer's timeout) with a
    margin, or a slow attempt could be taken over while it is still under way."""

    pool: Pool
    mailer: Mailer
    clock: Clock
    sealer: Sealer
    max_attempts: int = 8
    backoff: Backoff = field(default_factory=lambda: Backoff(30.0, 1800.0))
    lease_seconds: float = 60.0
    _outcomes: list[tuple[Claimed, Outcome]] = field(default_factory=list, init=False)
    _recording: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _recorded: dict[str, bool | Exception] = field(default_factory=dict, init=False)

    async def send_due(self) -> int:
        """Claim due messages, TURNS times as many as the mailer sends at once, and
        attempt them: one recipient's one after the other, in the order they were
        queued (the emails about an application arrive in the order of its events),
        different recipients' at once; returns how many were claimed."""
        claimed = await self.claim(self.mailer.connections * TURNS)
        by_recipient: dict[str, list[Claimed]] = {}
        for mail in claimed:
            by_recipient.setdefault(mail.recipient, []).append(mail)
        views = await recipient_views(self.pool, by_recipient)
        turns = [self._in_turn(mails, views[to]) for to, mails in by_recipient.items()]
        done = await asyncio.gather(*turns, return_exceptions=True)
        if failures := [outcome for outcome in done if isinstance(outcome, BaseException)]:
            raise failures[0]  # after the others have finished and recorded theirs
        return len(claimed)

    async def _in_turn(self, mails: list[Claimed], view: RecipientView) -> None:
        for mail in mails:
            await self.attempt(mail, view)

    async def claim(self, limit: int) -> list[Claimed]:
        """Lease due messages, and those a crashed sender left SENDING (autocommitted):
        for as many attempts in a row as each may wait behind for a connection."""
        lease, turns = uuid4(), -(-limit // self.mailer.connections)
        seconds = self.lease_seconds * turns
        rows = await self.pool.fetch(_CLAIM, self.clock.now(), limit, lease, seconds)
        return [Claimed.from_row(row, lease) for row in rows]

    async def attempt(self, mail: Claimed, view: RecipientView) -> bool:
        """Send once (unless consent, as `view` read it since the claim, forbids it) and
        record the outcome; False when the lease ran out meanwhile (another sender owns
        the message: nothing recorded)."""
        token = correlation_id.set(mail.meta.correlation_id)
        try:
            reason = suppression(view, ConsentChannel.EMAIL, mail.purpose, self.clock.now())
            suppressed = Outcome(NotificationStatus.SUPPRESSED, reason) if reason else None
            outcome = suppressed or await self._send(mail)
            return await self._record(mail, outcome)
        finally:
            correlation_id.reset(token)

    async def _send(self, mail: Claimed) -> Outcome:
        try:
            await self.mailer.send(mail.recipient, mail.message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return self._failed(mail.attempts, exc)
        return Outcome(NotificationStatus.SENT)

    def _failed(self, attempts: int, error: aiosmtplib.SMTPException | OSError) -> Outcome:
        # The type and the SMTP reply code, never the server's text: it may quote the
        # address (550 <jane@…> rejected), and this reason is kept and published.
        code = getattr(error, "code", None)
        reason = f"{describe(error)} SMTP {code}" if code else describe(error)
        if not transient(error):
            return Outcome(NotificationStatus.FAILED, reason)
        if attempts >= self.max_attempts:
            return Outcome(
                NotificationStatus.FAILED, f"gave up after {attempts} attempts: {reason}"
            )
        wait = timedelta(seconds=self.backoff.delay(attempts))
        return Outcome("PENDING", reason, self.clock.now() + wait)

    async def _record(self, mail: Claimed, outcome: Outcome) -> bool:
        """Record the outcome with those of the other attempts that end meanwhile, in one
        transaction (a group commit: each waits for the one under way, then the next
        records all that came): no outcome waits for a slower attempt's."""
        self._outcomes.append((mail, outcome))
        async with self._recording:
            if self._outcomes:
                outcomes, self._outcomes = self._outcomes, []
                try:
                    self._recorded.update(await self._record_all(outcomes))
                except Exception as exc:  # each of them fails with it (none is recorded)
                    self._recorded.update((m.notification_id, exc) for m, _ in outcomes)
        recorded = self._recorded.pop(mail.notification_id)
        if isinstance(recorded, Exception):
            raise recorded
        return recorded

    async def _record_all(self, outcomes: list[tuple[Claimed, Outcome]]) -> dict[str, bool]:
        """Each outcome while its lease holds, by notification id: whether it did (if not,
        another sender owns the message, and nothing is recorded)."""
        now = self.clock.now()
        ids = [UUID(mail.notification_id) for mail, _ in outcomes]
        async with self.pool.acquire() as conn, conn.transaction():
            held = {
                str(row["notification_id"])
                for row in await conn.fetch(
                    _RECORD,
                    ids,
                    [mail.lease for mail, _ in outcomes],
                    [outcome.status for _, outcome in outcomes],
                    [outcome.next_attempt_at for _, outcome in outcomes],
                    [outcome.reason for _, outcome in outcomes],
                    now,
                )
            }
            final = [
                (m, o) for m, o in outcomes if m.notification_id in held and o.status != "PENDING"
            ]
            if final:
                settled = await conn.fetch(
                    _SETTLE,
                    [UUID(mail.notification_id) for mail, _ in final],
                    [outcome.status for _, outcome in final],
                    [outcome.reason for _, outcome in final],
                    now,
                )
                by_id = {str(row["id"]): row for row in settled}
                entries = [
                    (m.notification_id, m.meta, _event(by_id[m.notification_id])) for m, _ in final
                ]
                await append_events(conn, entries, self.sealer)
        for mail, outcome in outcomes:
            if mail.notification_id in held:
                _log(mail, outcome)
            else:
                log.warning(
                    "mail lease lost, outcome dropped", extra={"notification": mail.notification_id}
                )
        return {mail.notification_id: mail.notification_id in held for mail, _ in outcomes}


def _event(settled: asyncpg.Record) -> Event:
    """What the service did, as the notification's ledger row now says."""
    nid, to, reason = str(settled["id"]), settled["recipient"], settled["reason"]
    if settled["status"] == NotificationStatus.SENT:
        return e.NotificationSent(notification_id=nid, recipient=to, language=settled["language"])
    if settled["status"] == NotificationStatus.FAILED:
        return e.NotificationFailed(notification_id=nid, recipient=to, error=reason)
    rule, related, trigger = settled["rule"], settled["related_id"], settled["trigger_event_id"]
    return e.NotificationSuppressed(
        notification_id=nid,
        rule=rule,
        recipient=to,
        related_id=related,
        trigger_event_id=trigger,
        reason=reason,
    )


def _log(mail: Claimed, outcome: Outcome) -> None:
    details = {"notification": mail.notification_id, "attempt": mail.attempts}
    if outcome.status == "PENDING":
        log.warning("mail deferred", extra={**details, "retry_at": str(outcome.next_attempt_at)})
    elif outcome.status == NotificationStatus.SENT:
        log.info("notification sent", extra=details)
    else:
        log.warning(f"notification {outcome.status.lower()}", extra=details)
