"""The faust worker rides out PostgreSQL being away: started while its database cannot
be reached, it neither exits nor dead-letters what it reads, and once the database is
back the email goes out. (PostgreSQL is shared, so the test cuts the worker's road to
it, a TCP forwarder it starts only later, rather than the server.)"""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import KafkaPublisher, dlq_topic

from tests.e2e.notifying import Workers, environment, fresh_topics
from tests.smtp_catcher import Mailbox
from tests.support import eventually, free_port, kafka_record, submitted_data, topic_size


class Forwarder:
    """Passes TCP connections on `port` to `target`, from `open()` until `close()`."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.port, self.target = port, target
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def open(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self.server:
            self.server.close()
        for writer in self.writers:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, upstream_writer]
        await asyncio.gather(
            _pipe(reader, upstream_writer), _pipe(upstream_reader, writer), return_exceptions=True
        )


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    finally:
        writer.close()


@pytest.fixture
async def road(notifications_url: str) -> AsyncIterator[tuple[Forwarder, str]]:
    """A forwarder to the test's database (closed for now), and the URL through it."""
    parts = urlsplit(notifications_url)
    forwarder = Forwarder(free_port(), (parts.hostname or "127.0.0.1", parts.port or 5432))
    yield forwarder, parts._replace(netloc=f"postgres@127.0.0.1:{forwarder.port}").geturl()
    await forwarder.close()


async def test_the_worker_waits_out_an_unreachable_database(
    road: tuple[Forwarder, str],
    kafka: KafkaSettings,
    mailbox: tuple[int, Mailbox],
    publisher: KafkaPublisher,
    tmp_path: Path,
):
    forwarder, url = road
    topics = await fresh_topics(kafka)
    workers = Workers(environment(url, topics, mailbox[0]), tmp_path)
    await workers.start("pavtest-outage")
    try:
        app = str(uuid.uuid4())
        submitted = kafka_record(
            "exhibitors",
            "ApplicationSubmitted",
            app,
            **submitted_data(
                app,
                "Patient Pumps",
                "NL",
                [{"name": "Noor", "email": "noor@pumps.example", "phone": None}],
                "SMART_VEHICLES",
            ),
        )
        await publisher.publish(topics["exhibitors"], [submitted])

        async def waited() -> bool:  # four tries in a row, backing off (0.5 s, 1 s, 2 s, …)
            return _log(tmp_path / "pavtest-outage.log").count("transient failure, retrying") >= 4

        await eventually(waited, within=90, what="the worker waiting out the outage")
        assert workers.running[0].returncode is None  # still there, the event in hand
        await forwarder.open()

        async def mailed() -> bool:
            return len(mailbox[1].messages()) == 1

        await eventually(mailed, within=90, what="the email, once the database is back")
        assert workers.running[0].returncode is None
        assert await topic_size(kafka, dlq_topic(topics["exhibitors"])) == 0
    finally:
        with contextlib.suppress(ProcessLookupError):
            await workers.stop()


def _log(path: Path) -> str:
    return path.read_text() if path.exists() else ""
