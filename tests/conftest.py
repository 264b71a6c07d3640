"""Fixtures for tests against the real PostgreSQL and Kafka that `make test` starts.

Each test gets fresh databases, cloned from templates migrated once per session, and
fresh topics, so tests neither see nor disturb each other's data.
"""

import logging
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from functools import partial
from ipaddress import ip_network
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from exhibitors.api import create_app
from exhibitors.bootstrap import LOOKUPS
from exhibitors.config import Config
from exhibitors.demo import ACTOR
from exhibitors.editions import EditionHandlers, seed, seed_editions
from exhibitors.handlers import Handlers
from fastapi import FastAPI
from gateway.readmodel import open_read_pool, prepare, read_current
from notifications.api import create_app as create_notifications_app
from notifications.bootstrap import VIEWS_AND_LEDGER
from notifications.config import Config as NotificationsConfig
from notifications.posting import webhook_client
from outreach.api import create_app as create_outreach_app
from outreach.bootstrap import SCHEDULE
from outreach.config import Config as OutreachConfig
from pavilion_contracts.personal import declaration
from pavilion_core.config import KafkaSettings
from pavilion_core.db import CONSUMER, EVENT_STORE, migrate, open_pool
from pavilion_core.kafka import KafkaPublisher, ensure_topics, new_producer
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore
from pavilion_core.service_tokens import HISTORY
from pavilion_core.testing import FixedClock
from pavilion_core.vault import VAULT, Vault, open_vault

from tests.integration.webhook_support import Receiver, receiving
from tests.smtp_catcher import Mailbox
from tests.smtp_catcher import start as start_catcher
from tests.support import (
    AFTER_THE_EXPO,
    PG_URL,
    RECRUITING_THE_5TH,
    STORY_TIME,
    admin_sql,
    free_port,
    signed,
)

TEMPLATES = {
    "eventstore": (EVENT_STORE, CONSUMER, LOOKUPS),
    "outreach": (EVENT_STORE, CONSUMER, SCHEDULE),
    "readmodel": (),  # made by the gateway's own prepare(): a first generation
    "notifications": (EVENT_STORE, CONSUMER, VIEWS_AND_LEDGER),
}
RUN = uuid.uuid4().hex[:8]
# One vault for the session's tests and the processes they start (pavilion_core.vault;
# subjects are random or per record, so tests do not meet each other's keys).
VAULT_URL = f"{PG_URL}/pavtest_{RUN}_vault"
os.environ["PAVILION_VAULT_DATABASE_URL"] = VAULT_URL
# Development defaults for secrets (pavilion_core.secrets), here and in the processes the
# tests start; the tests of production mode set PAVILION_ENV themselves.
os.environ["PAVILION_ENV"] = "dev"


@pytest.fixture(autouse=True)
def _no_log_handler_left_behind() -> Iterator[None]:
    """A CLI run in process sets up logging on the stdout of the moment, which under
    pytest is a capture closed when the test ends; a handler left on it turns every
    later log record into a logging error, and into a crash while another test swaps
    the standard streams (CliRunner). Remove such handlers after each test."""
    root = logging.getLogger()
    before, level = set(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before and type(handler) is logging.StreamHandler:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session")
async def templates(vault_database: str) -> AsyncIterator[dict[str, str]]:
    """The databases' templates; the session's vault made first (every test with a
    database may seal)."""
    names = {kind: f"pavtest_{RUN}_{kind}_template" for kind in TEMPLATES}
    for kind, name in names.items():
        await admin_sql(f"CREATE DATABASE {name}")
        conn = await asyncpg.connect(f"{PG_URL}/{name}")
        try:
            if TEMPLATES[kind]:
                await migrate(conn, *TEMPLATES[kind])
            else:
                await prepare(conn, "any")
        finally:
            await conn.close()
    yield names
    for name in names.values():
        await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _fresh_database(template: str) -> AsyncIterator[str]:
    name = f"pavtest_{RUN}_{uuid.uuid4().hex[:10]}"
    await admin_sql(f"CREATE DATABASE {name} TEMPLATE {template}")
    yield f"{PG_URL}/{name}"
    await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
async def vault_database() -> AsyncIterator[str]:
    """The session's vault, migrated."""
    name = VAULT_URL.rsplit("/", 1)[1]
    await admin_sql(f"CREATE DATABASE {name}")
    conn = await asyncpg.connect(VAULT_URL)
    try:
        await migrate(conn, VAULT)
    finally:
        await conn.close()
    yield VAULT_URL
    await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def vault(vault_database: str) -> AsyncIterator[Vault]:
    opened = await open_vault(vault_database)
    yield opened
    await opened.close()


@pytest.fixture
def sealer(vault: Vault) -> Sealer:
    return Sealer(vault, declaration())


@pytest.fixture
async def store_url(templates: dict[str, str]) -> AsyncIterator[str]:
    """A migrated event-store database of its own."""
    async for url in _fresh_database(templates["eventstore"]):
        yield url


@pytest.fixture
async def read_model_url(templates: dict[str, str]) -> AsyncIterator[str]:
    """A migrated read-model database of its own."""
    async for url in _fresh_database(templates["readmodel"]):
        yield url


@pytest.fixture
async def counted(read_model_url: str) -> AsyncIterator[tuple[asyncpg.Pool, list[str]]]:
    """The read model's pool, every statement its connections run written down."""
    statements: list[str] = []

    async def init(conn: asyncpg.Connection) -> None:
        conn.add_query_logger(lambda record: statements.append(record.query))

    pool = await asyncpg.create_pool(
        read_model_url, min_size=1, max_size=4, setup=read_current, init=init
    )
    yield pool, statements
    await pool.close()


@pytest.fixture
async def outreach_url(templates: dict[str, str]) -> AsyncIterator[str]:
    """A migrated outreach database of its own."""
    async for url in _fresh_database(templates["outreach"]):
        yield url


@pytest.fixture
async def outreach_pool(outreach_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(outreach_url, min_size=1, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def notifications_url(templates: dict[str, str]) -> AsyncIterator[str]:
    """A migrated notifications database of its own."""
    async for url in _fresh_database(templates["notifications"]):
        yield url


@pytest.fixture
async def notifications_pool(notifications_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(notifications_url, min_size=1, max_size=10)
    yield pool
    await pool.close()


@pytest.fixture
async def store_pool(store_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await open_pool(store_url, size=30, reset_sessions=False)  # as the services'
    yield pool
    await pool.close()


@pytest.fixture
async def read_pool(read_model_url: str) -> AsyncIterator[asyncpg.Pool]:
    """Reads and writes the read model's current generation."""
    pool = await open_read_pool(read_model_url, "any", size=5)
    yield pool
    await pool.close()


@pytest.fixture
def store(store_pool: asyncpg.Pool, sealer: Sealer) -> EventStore:
    return EventStore(store_pool, sealer)


@pytest.fixture
async def editions_seeded(store: EventStore) -> None:
    """The store holds the packaged seed's editions, as a started exhibitors service's
    does (for stories that build the service's handlers or reactions themselves)."""
    await seed_editions(EditionHandlers(Handlers(store, FixedClock(STORY_TIME))), seed())


async def _started(
    create: Callable[[Any], FastAPI], config: Any, url: str, at: datetime = STORY_TIME
) -> AsyncIterator[FastAPI]:
    """A command API in process (lifespan and all) on its own database, at the story's
    time unless told."""
    app = create(config(url, KafkaSettings("unused:1", 1, 1), clock=FixedClock(at)))
    async with app.router.lifespan_context(app):
        yield app


async def _client(
    app: FastAPI, service: str, auth: httpx.Auth | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a command API in process, acting as staff unless told."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url=f"http://{service}", auth=auth or signed(service)
    ) as client:
        yield client


@pytest.fixture
async def exhibitors_app(store_url: str) -> AsyncIterator[FastAPI]:
    async for app in _started(create_app, Config, store_url):
        yield app


@pytest.fixture
async def exhibitors_api(exhibitors_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(exhibitors_app, "exhibitors"):
        yield client


@pytest.fixture
async def exhibitors_history(store_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The exhibitors API after the 4th expo, and a client of it that may import history
    (as the demo does: exhibitors.demo.load)."""
    async for app in _started(create_app, Config, store_url, AFTER_THE_EXPO):
        async for client in _client(app, "exhibitors", signed("exhibitors", ACTOR, [HISTORY])):
            yield client


@pytest.fixture
async def exhibitors_recruiting(store_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """exhibitors_history, while the 5th expo recruits (in December 2026)."""
    async for app in _started(create_app, Config, store_url, RECRUITING_THE_5TH):
        async for client in _client(app, "exhibitors", signed("exhibitors", ACTOR, [HISTORY])):
            yield client


@pytest.fixture
async def outreach_app(outreach_url: str) -> AsyncIterator[FastAPI]:
    async for app in _started(create_outreach_app, OutreachConfig, outreach_url):
        yield app


@pytest.fixture
async def outreach_api(outreach_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async for client in _client(outreach_app, "outreach"):
        yield client


@pytest.fixture
async def notifications_api(notifications_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The notifications admin API in process, its webhooks allowed to this machine."""
    local = partial(NotificationsConfig, webhooks_allowed_networks=(ip_network("127.0.0.0/8"),))
    async for app in _started(create_notifications_app, local, notifications_url):
        async for client in _client(app, "notifications"):
            yield client


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[int, Mailbox]]:
    """A real SMTP server (the catcher) on a free port, and what it stored."""
    port = free_port()
    controller, box = start_catcher(tmp_path / "mail", port)
    yield port, box
    controller.stop()


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, int]]:
    """A partner's webhook receiver (tests/integration/webhook_support.py), and its port."""
    partner = Receiver()
    async with receiving(partner) as port:
        yield partner, port


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    """The webhook deliverer's HTTP client."""
    async with webhook_client() as client:
        yield client


@pytest.fixture(scope="session")
def kafka() -> KafkaSettings:
    return KafkaSettings.from_env()


@pytest.fixture
async def topic(kafka: KafkaSettings) -> str:
    """A fresh topic (and its .dlq twin) for this test."""
    name = f"pavtest.{RUN}.{uuid.uuid4().hex[:10]}"
    await ensure_topics(kafka, [name])
    return name


@pytest.fixture(scope="session")
async def producer(kafka: KafkaSettings) -> AsyncIterator[AIOKafkaProducer]:
    producer = new_producer(kafka, client_id="pavilion-tests")
    await producer.start()
    yield producer
    await producer.stop()


@pytest.fixture
def publisher(producer: AIOKafkaProducer) -> KafkaPublisher:
    return KafkaPublisher(producer)
