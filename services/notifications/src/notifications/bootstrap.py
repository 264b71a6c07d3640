"""The one place that builds the notifications service's pool and notifier."""

from dataclasses import dataclass

from pavilion_core.db import EVENT_STORE, MigrationSet, Pool, open_pool

from notifications.config import Config
from notifications.emails import Templates
from notifications.mailer import Mailer
from notifications.pipeline import Notifier, Sender
from notifications.unsubscribe import UnsubscribeLinks

VIEWS_AND_LEDGER = MigrationSet("notifications", "notifications", "sql")


@dataclass
class Services:
    config: Config
    pool: Pool
    notifier: Notifier

    async def close(self) -> None:
        await self.pool.close()


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(config.database_url, EVENT_STORE, VIEWS_AND_LEDGER, size=pool_size)
    notifier = Notifier(
        pool=pool,
        templates=Templates(),
        mailer=Mailer(
            config.smtp_host, config.smtp_port, config.sender_name, config.sender_address
        ),
        links=UnsubscribeLinks(config.unsubscribe_secret, config.public_url),
        clock=config.clock,
        sender=Sender(config.sender_name, config.postal_address, config.staff_domain),
    )
    return Services(config, pool, notifier)
