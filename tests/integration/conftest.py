"""Fixtures of the integration tests beyond those of tests/conftest.py."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from notifications.mailqueue import MailQueue
from notifications.pipeline import Notifier
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import Begin
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.outages import Backoff
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock

from tests.integration import mail_support
from tests.integration.consumer_support import Running, Start
from tests.smtp_catcher import Mailbox
from tests.support import STORY_TIME


@pytest.fixture
async def start(
    kafka: KafkaSettings, topic: str, publisher: KafkaPublisher, sealer: Sealer
) -> AsyncIterator[Start]:
    """Starts projector instances on `topic` (consumer_support.Running); any still
    running when the test ends (it failed) is cancelled, not left consuming."""
    started: list[Running] = []

    def start_one(
        name: str,
        pool: asyncpg.Pool,
        group: str,
        batch_size: int = 500,
        begin: Begin | None = None,
        *,
        backoff: Backoff | None = None,
    ) -> Running:
        started.append(
            Running(
                name,
                pool,
                kafka,
                topic,
                publisher,
                group,
                batch_size,
                begin,
                sealer=sealer,
                backoff=backoff,
            )
        )
        return started[-1]

    yield start_one
    for instance in started:
        instance.task.cancel()
    await asyncio.gather(*(i.task for i in started), return_exceptions=True)


# The notifications tests' notifier and mail queue, on a clock that stands at the story's
# start until a test moves it.
@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(STORY_TIME)


@pytest.fixture
def notifier(
    notifications_pool: asyncpg.Pool,
    mailbox: tuple[int, Mailbox],
    clock: FixedClock,
    sealer: Sealer,
) -> Notifier:
    return mail_support.notifier(notifications_pool, mailbox[0], clock, sealer)


@pytest.fixture
def mail(
    notifications_pool: asyncpg.Pool,
    mailbox: tuple[int, Mailbox],
    clock: FixedClock,
    sealer: Sealer,
) -> MailQueue:
    return mail_support.mail_queue(notifications_pool, mailbox[0], clock, sealer)
