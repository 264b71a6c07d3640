"""The one place that builds the notifications service's pool, notifier and mail queue."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from aiokafka import ConsumerRecord
from pavilion_contracts.personal import declaration
from pavilion_contracts.reader import READER
from pavilion_core import parking
from pavilion_core.db import CONSUMER, EVENT_STORE, MigrationSet, Pool, open_pool
from pavilion_core.envelope import CloudEvent, Headers
from pavilion_core.outages import Backoff
from pavilion_core.personal import Sealer, open_sealer
from pavilion_core.secrets import check, secret

from notifications.config import UNSUBSCRIBE_SECRET, Config
from notifications.context import Sender
from notifications.emails import Templates
from notifications.mailer import Mailer
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from notifications.unsubscribe import UnsubscribeLinks

VIEWS_AND_LEDGER = MigrationSet("notifications", "notifications", "sql")
LEASE_MARGIN_SECONDS = 10.0  # a mail lease outlasts one SMTP attempt by this much


@dataclass
class Services:
    config: Config
    pool: Pool
    sealer: Sealer

    @cached_property
    def links(self) -> UnsubscribeLinks:
        """Built when first needed: only the processes that make or read unsubscribe
        links (the worker, the public app) need the secret, and they ask at start."""
        return UnsubscribeLinks(unsubscribe_secret(self.config), self.config.public_url)

    @cached_property
    def mailer(self) -> Mailer:
        c = self.config
        return Mailer(
            c.smtp_host, c.smtp_port, c.sender_name, c.sender_address, c.smtp_timeout_seconds
        )

    @cached_property
    def notifier(self) -> Notifier:
        config = self.config
        return Notifier(
            pool=self.pool,
            templates=Templates(),
            mailer=self.mailer,
            links=self.links,
            clock=config.clock,
            sender=Sender(config.sender_name, config.postal_address, config.staff_domain),
            sealer=self.sealer,
        )

    @cached_property
    def mail_queue(self) -> MailQueue:
        c = self.config
        return MailQueue(
            self.pool,
            self.mailer,
            c.clock,
            self.sealer,
            max_attempts=c.mail_attempts,
            backoff=Backoff(c.mail_retry_seconds, c.mail_retry_cap_seconds),
            lease_seconds=c.smtp_timeout_seconds + LEASE_MARGIN_SECONDS,
        )

    async def close(self) -> None:
        if "mailer" in self.__dict__:  # made on first use: say goodbye on its connections
            await self.mailer.close()
        await self.pool.close()
        await self.sealer.close()


@dataclass
class StreamHandler:
    """What the faust app drives (app.Handler): events and reminders go through the
    notifier, the mail timer through the mail queue."""

    notifier: Notifier
    mail: MailQueue
    group: str  # the app's consumer group: whose parked messages

    async def decode(self, value: bytes | None, headers: Headers) -> CloudEvent:
        """Unsealed, then read as the latest version of its event."""
        return READER.read(await self.notifier.sealer.decode(value, headers))

    async def decode_all(self, messages: Sequence[ConsumerRecord]) -> list[CloudEvent | Exception]:
        """As `decode` each, with one vault round trip for them all."""
        sealed = await self.notifier.sealer.decode_all([(m.value, m.headers) for m in messages])
        return [_read(event) for event in sealed]

    async def handle(self, event: CloudEvent) -> None:
        await self.notifier.handle(event)

    async def handle_all(self, events: Sequence[CloudEvent]) -> None:
        await self.notifier.handle_all(events)

    async def any_held(self, messages: Sequence[ConsumerRecord]) -> bool:
        async with self.notifier.pool.acquire() as conn:
            return bool(await parking.parked_records(conn, self.group, messages))

    async def park_if_held(self, message: ConsumerRecord) -> bool:
        return await parking.park_if_held(self.notifier.pool, self.group, message)

    async def park(self, message: ConsumerRecord, error: Exception | None) -> None:
        async with self.notifier.pool.acquire() as conn:
            await parking.park(conn, self.group, [parking.Parked(message, error)])

    async def redrive(self) -> int:
        return await parking.redrive_each(
            self.notifier.pool, self.group, self.notifier.handle, self.decode
        )

    async def fire_reminders(self) -> int:
        return await self.notifier.fire_reminders()

    async def send_mail(self) -> int:
        return await self.mail.send_due()


def _read(event: CloudEvent | Exception) -> CloudEvent | Exception:
    """`event` as the latest version of its type, or why it cannot be read."""
    if isinstance(event, Exception):
        return event
    try:
        return READER.read(event)
    except Exception as exc:  # e.g. a version newer than this code knows
        return exc


def unsubscribe_secret(config: Config) -> str:
    """The configured secret (checked), else the environment's (see secrets.py)."""
    if config.unsubscribe_secret:
        check(UNSUBSCRIBE_SECRET, config.unsubscribe_secret)
        return config.unsubscribe_secret
    return secret(UNSUBSCRIBE_SECRET)


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(
        config.database_url, EVENT_STORE, CONSUMER, VIEWS_AND_LEDGER, size=pool_size
    )
    return Services(
        config, pool, await open_sealer(config.database_url, declaration(), writes=True)
    )
