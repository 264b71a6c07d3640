"""The faust-streaming app: one agent over exhibitors' and outreach's topics that
hands each CloudEvent to the notifier.

Concurrency stays 1 (faust-streaming's offset commits are not safe with several
actors per agent, upstream issue #606); exactly one send per notification does not
rest on offsets anyway but on the notifier's ledger. A message that is not a
CloudEvent, or that the notifier refuses, goes to `<topic>.dlq` with the error;
a transient failure (database or network) is retried with backoff first.
"""

import asyncio
import logging
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import faust
from faust.types import AgentT, StreamT
from pavilion_core.envelope import CloudEvent, from_kafka
from pavilion_core.kafka import dlq_topic
from pavilion_core.logging import correlation_id, logging_config
from pavilion_core.runner import HEARTBEAT_SECONDS, heartbeat_file

from notifications.config import SERVICE

log = logging.getLogger(__name__)
Handle = Callable[[CloudEvent], Awaitable[None]]


class Handler(Protocol):
    """What the app drives: each CloudEvent, and a periodic tick (reminders)."""

    async def handle(self, event: CloudEvent) -> None: ...

    async def fire_reminders(self) -> int: ...


DeadLetter = Callable[[str, bytes | None, bytes | None, list[tuple[str, bytes]]], Awaitable[None]]
TRANSIENT = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.SerializationError,
    asyncpg.DeadlockDetectedError,
)
RETRIES = 5


def create_app(
    broker: str,
    topics: Sequence[str],
    make_handler: Callable[[], Awaitable[Handler]],
    *,
    app_id: str = "pavilion-notifications",
    dead_letter: DeadLetter | None = None,
    tick_seconds: float = 5.0,
) -> tuple[faust.App, AgentT[bytes]]:
    """The app and its agent. `make_handler` is awaited once, when first needed;
    `dead_letter(topic, key, value, headers)` defaults to `<topic>.dlq`; every
    `tick_seconds` a timer fires the reminders that are due."""
    app = faust.App(
        app_id,
        broker=f"kafka://{broker}",
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        producer_acks=-1,
        # faust makes a data directory on start (for tables; we keep none): under the
        # temp dir, not the working directory, which is read-only in the k8s manifests
        datadir=Path(tempfile.gettempdir()) / f"{app_id}-data",
    )
    channel = app.topic(*topics, key_type=bytes, value_type=bytes)
    dead_letters = {t: app.topic(dlq_topic(t), key_type=bytes, value_type=bytes) for t in topics}
    handler: list[Handler] = []

    async def current() -> Handler:
        if not handler:
            handler.append(await make_handler())
        return handler[0]

    async def to_dlq(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        await dead_letters[topic].send(key=key, value=value, headers=headers)

    @app.agent(channel, concurrency=1)
    async def notify(stream: StreamT[bytes]) -> None:
        async for event in stream.events():
            active = await current()
            message = event.message
            headers = [(str(k), bytes(v)) for k, v in (message.headers or [])]
            try:
                await _handle_correlated(active.handle, from_kafka(event.value, headers))
            except Exception as exc:  # poison: dead-letter it and go on
                log.error(
                    "message dead-lettered",
                    extra={"topic": message.topic, "offset": message.offset, "error": repr(exc)},
                )
                error_headers = _error_headers(headers, exc, message)
                await (dead_letter or to_dlq)(
                    message.topic, message.key, event.value, error_headers
                )

    @app.timer(interval=HEARTBEAT_SECONDS)  # type: ignore[untyped-decorator]
    async def alive() -> None:
        heartbeat_file().touch()

    @app.timer(interval=tick_seconds)  # type: ignore[untyped-decorator]
    async def reminders_due() -> None:
        try:
            await (await current()).fire_reminders()
        except Exception:  # the next tick tries again; nothing is lost (still SCHEDULED)
            log.exception("firing reminders failed")

    return app, notify


async def _handle_correlated(handle: Handle, event: CloudEvent) -> None:
    """Handle with the event's correlation id on every log line it causes."""
    token = correlation_id.set(event.correlation_id)
    try:
        await _with_retries(handle, event)
    finally:
        correlation_id.reset(token)


async def _with_retries(handle: Handle, event: CloudEvent) -> None:
    for attempt in range(1, RETRIES + 1):
        try:
            await handle(event)
            return
        except TRANSIENT:
            if attempt == RETRIES:
                raise
            log.warning(
                "transient failure, retrying", extra={"event": event.id, "attempt": attempt}
            )
            await asyncio.sleep(attempt)  # backoff between retries of the same event
    raise AssertionError("unreachable")


def _error_headers(
    headers: list[tuple[str, bytes]], error: Exception, message: Any
) -> list[tuple[str, bytes]]:
    kept = [(k, v) for k, v in headers if not k.startswith("dlq_")]
    return kept + [
        (k, v.encode())
        for k, v in {
            "dlq_error_type": type(error).__name__,
            "dlq_error_message": str(error)[:2000],
            "dlq_original_topic": message.topic,
            "dlq_original_partition": str(message.partition),
            "dlq_original_offset": str(message.offset),
            "dlq_consumer_group": "pavilion-notifications",
            "dlq_failed_at": datetime.now(UTC).isoformat(),
        }.items()
    ]


def run_worker(app: faust.App) -> None:
    """Run the app as a worker in this process until SIGTERM/SIGINT."""
    faust.Worker(
        app, loglevel="INFO", redirect_stdouts=False, logging_config=logging_config(SERVICE)
    ).execute_from_commandline()
