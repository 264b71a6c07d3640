"""The one place that builds the notifications service's pool and notifier."""

from dataclasses import dataclass
from functools import cached_property

from pavilion_core.db import EVENT_STORE, MigrationSet, Pool, open_pool
from pavilion_core.secrets import check, secret

from notifications.config import UNSUBSCRIBE_SECRET, Config
from notifications.emails import Templates
from notifications.mailer import Mailer
from notifications.pipeline import Notifier, Sender
from notifications.unsubscribe import UnsubscribeLinks

VIEWS_AND_LEDGER = MigrationSet("notifications", "notifications", "sql")


@dataclass
class Services:
    config: Config
    pool: Pool

    @cached_property
    def links(self) -> UnsubscribeLinks:
        """Built when first needed: only the processes that make or read unsubscribe
        links (the worker, the public app) need the secret, and they ask at start."""
        return UnsubscribeLinks(unsubscribe_secret(self.config), self.config.public_url)

    @cached_property
    def notifier(self) -> Notifier:
        config = self.config
        return Notifier(
            pool=self.pool,
            templates=Templates(),
            mailer=Mailer(
                config.smtp_host, config.smtp_port, config.sender_name, config.sender_address
            ),
            links=self.links,
            clock=config.clock,
            sender=Sender(config.sender_name, config.postal_address, config.staff_domain),
        )

    async def close(self) -> None:
        await self.pool.close()


def unsubscribe_secret(config: Config) -> str:
    """The configured secret (checked), else the environment's (see secrets.py)."""
    if config.unsubscribe_secret:
        check(UNSUBSCRIBE_SECRET, config.unsubscribe_secret)
        return config.unsubscribe_secret
    return secret(UNSUBSCRIBE_SECRET)


async def start(config: Config, *, pool_size: int = 10) -> Services:
    pool = await open_pool(config.database_url, EVENT_STORE, VIEWS_AND_LEDGER, size=pool_size)
    return Services(config, pool)
