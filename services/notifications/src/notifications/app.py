"""The faust-streaming app: one agent over exhibitors' and outreach's topics that
hands each CloudEvent to the notifier, and timers that fire due reminders and send
due mail.

Concurrency stays 1 (faust-streaming's offset commits are not safe with several
actors per agent, upstream issue #606); exactly one send per notification does not
rest on offsets anyway but on the notifier's ledger. The agent takes its messages in
batches, acked once applied, and applies a batch in LANES transactions at once when
nothing in it needs the one-at-a-time path described next. Each CloudEvent is read as the
latest version of its event (pavilion_contracts.reader). A message that is not a
CloudEvent, is of a version newer than this code knows, or that the notifier refuses,
is parked with every later message of its
record (pavilion_core.parking), and `<topic>.dlq` gets a notice; a timer carries out
the redrives an operator asks for. A transient failure (pavilion_core.outages) is not
the message's fault: the agent retries it with capped backoff for as long as it lasts,
and neither exits nor parks; the timers try again at their next tick.
"""

import asyncio
import logging
import tempfile
import zlib
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import faust
from aiokafka import ConsumerRecord
from faust.types import AgentT, StreamT
from pavilion_core.config import KafkaSettings
from pavilion_core.dead_letters import notice_headers
from pavilion_core.envelope import CloudEvent, Headers
from pavilion_core.kafka import dlq_topic
from pavilion_core.logging import correlation_id, describe, logging_config
from pavilion_core.outages import Backoff, transient
from pavilion_core.runner import HEARTBEAT_SECONDS, heartbeat_file

from notifications.config import SERVICE
from notifications.watchdog import Watchdog

log = logging.getLogger(__name__)
T = TypeVar("T")


class Handler(Protocol):
    """What the app drives: each CloudEvent, and periodic ticks (reminders, mail); a
    tick returns how much it did, and runs again at once while that is not nothing."""

    async def decode(self, value: bytes | None, headers: Headers) -> CloudEvent:
        """The message as a CloudEvent, its personal values unsealed."""

    async def decode_all(self, messages: Sequence[ConsumerRecord]) -> list[CloudEvent | Exception]:
        """Each message as `decode` makes it, or what it raised for it."""

    async def handle(self, event: CloudEvent) -> None: ...

    async def handle_all(self, events: Sequence[CloudEvent]) -> None:
        """`handle` for each, in order, in one transaction: all or nothing."""

    async def any_held(self, messages: Sequence[ConsumerRecord]) -> bool:
        """Whether a record of `messages` has messages parked (no lock: a redrive under
        way still shows its rows, and the one-at-a-time path then waits for it)."""

    async def park_if_held(self, message: ConsumerRecord) -> bool:
        """Park `message` if its record has messages parked; whether it did."""

    async def park(self, message: ConsumerRecord, error: Exception | None) -> None: ...

    async def redrive(self) -> int: ...

    async def fire_reminders(self) -> int: ...

    async def send_mail(self) -> int: ...


BATCH = 200  # messages applied at once
LANES = 4  # transactions a batch is applied in, side by side (the agent waits on round trips)
BATCH_WAIT_SECONDS = 0.05  # how long a batch waits to fill: the latency a lone event pays
DeadLetter = Callable[[str, bytes | None, bytes | None, list[tuple[str, bytes]]], Awaitable[None]]
OUTAGE_BACKOFF = Backoff(first=0.5, cap=30.0)


def _credentials(kafka: KafkaSettings) -> faust.SASLCredentials | None:
    """faust's form of the settings' SASL credentials (aiokafka's options, underneath)."""
    if not kafka.sasl:
        return None
    return faust.SASLCredentials(
        username=kafka.username, password=kafka.password, mechanism=kafka.sasl_mechanism
    )


def create_app(
    kafka: KafkaSettings,
    topics: Sequence[str],
    make_handler: Callable[[], Awaitable[Handler]],
    *,
    app_id: str = "pavilion-notifications",
    dead_letter: DeadLetter | None = None,
    tick_seconds: float = 5.0,
    mail_seconds: float = 1.0,
    backoff: Backoff = OUTAGE_BACKOFF,
    watchdog: Watchdog | None = None,
) -> tuple[faust.App, AgentT[bytes]]:
    """The app and its agent. `make_handler` is awaited once, when first needed;
    `dead_letter(topic, key, value, headers)` defaults to `<topic>.dlq`; every
    `tick_seconds` a timer fires the reminders that are due, every `mail_seconds`
    another sends the mail that is due; `backoff` spaces retries during an outage; the
    heartbeat timer stamps the `watchdog`."""
    app = faust.App(
        app_id,
        broker=[f"kafka://{server}" for server in kafka.bootstrap.split(",")],
        broker_credentials=_credentials(kafka),
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=False,
        producer_acks=-1,
        # A worker killed without leaving the group holds its partitions until its
        # session times out (faust's default: 60 s, during which its restart waits).
        broker_session_timeout=10.0,
        # faust makes a data directory on start (for tables; we keep none): under the
        # temp dir, not the working directory, which is read-only in the k8s manifests
        datadir=Path(tempfile.gettempdir()) / f"{app_id}-data",
    )
    channel = app.topic(*topics, key_type=bytes, value_type=bytes)
    dead_letters = {t: app.topic(dlq_topic(t), key_type=bytes, value_type=bytes) for t in topics}
    current = _once(make_handler)

    async def to_dlq(
        topic: str, key: bytes | None, value: bytes | None, headers: list[tuple[str, bytes]]
    ) -> None:
        await dead_letters[topic].send(key=key, value=value, headers=headers)

    async def one(message: ConsumerRecord) -> None:
        if await _until_done(current, partial(_park_if_held, message), backoff, _always):
            return
        try:
            cloud_event = await _until_done(current, partial(_decode, message), backoff)
            await _handle_correlated(current, cloud_event, backoff)
        except Exception as exc:  # poison: park its record, tell the DLQ, go on
            await _until_done(current, partial(_park, message, exc), backoff, _always)
            log.error(
                "message parked",
                extra={
                    "topic": message.topic,
                    "offset": message.offset,
                    "error": describe(exc),
                },
            )
            headers = notice_headers(message, exc, app_id)
            await (dead_letter or to_dlq)(message.topic, message.key, message.value, headers)

    @app.agent(channel, concurrency=1)
    async def notify(stream: StreamT[bytes]) -> None:
        # faust acks a batch's events once the loop's body is done with them (StreamT
        # does not declare take_events; the Stream it is does)
        batches = stream.take_events(BATCH, within=BATCH_WAIT_SECONDS)  # type: ignore[attr-defined]
        async for events in batches:
            messages = [_record(event.message, event.value) for event in events]
            try:
                if await _until_done(current, partial(_all_at_once, messages), backoff):
                    continue
            except Exception as exc:  # one of them is poison: find it, one at a time
                details = {"messages": len(messages), "error": describe(exc)}
                log.info("batch failed, applying its messages one by one", extra=details)
            for message in messages:
                await one(message)

    @app.timer(interval=HEARTBEAT_SECONDS)  # type: ignore[untyped-decorator]
    async def alive() -> None:
        heartbeat_file().touch()
        if watchdog is not None:
            watchdog.beat()

    @app.timer(interval=tick_seconds)  # type: ignore[untyped-decorator]
    async def reminders_due() -> None:
        await _tick("firing reminders", current, lambda handler: handler.fire_reminders())

    @app.timer(interval=mail_seconds)  # type: ignore[untyped-decorator]
    async def mail_due() -> None:
        await _tick("sending mail", current, lambda handler: handler.send_mail())

    @app.timer(interval=tick_seconds)  # type: ignore[untyped-decorator]
    async def redrives_asked() -> None:
        await _tick("redriving parked messages", current, lambda handler: handler.redrive())

    return app, notify


def _once(make: Callable[[], Awaitable[Handler]]) -> Callable[[], Awaitable[Handler]]:
    """`make` awaited the first time it is needed (by the agent or a timer, whichever
    comes first: one of them at a time), and again after a failed try."""
    made: list[Handler] = []
    lock = asyncio.Lock()

    async def current() -> Handler:
        async with lock:
            if not made:
                made.append(await make())
        return made[0]

    return current


async def _tick(
    what: str, current: Callable[[], Awaitable[Handler]], run: Callable[[Handler], Awaitable[int]]
) -> None:
    """A timer's work, repeated while it finds some. A failure is logged and the next
    tick tries again: nothing is lost (what was due stays due)."""
    try:
        while await run(await current()):
            pass
    except Exception as exc:
        if not transient(exc):
            log.exception(f"{what} failed")
            return
        log.warning(f"{what} failed, next tick retries", extra={"error": type(exc).__name__})


async def _handle_correlated(
    current: Callable[[], Awaitable[Handler]], event: CloudEvent, backoff: Backoff
) -> None:
    """Handle with the event's correlation id on every log line it causes."""
    token = correlation_id.set(event.correlation_id)
    try:
        await _until_done(current, lambda handler: handler.handle(event), backoff)
    finally:
        correlation_id.reset(token)


async def _until_done(
    current: Callable[[], Awaitable[Handler]],
    work: Callable[[Handler], Awaitable[T]],
    backoff: Backoff,
    retry: Callable[[BaseException], bool] = transient,
) -> T:
    """Retry the failures `retry` names for as long as they last (the handler's effects
    are idempotent); anything else is the message's own problem and is raised."""
    failures = 0
    while True:
        try:
            return await work(await current())
        except Exception as exc:
            if not retry(exc):
                raise
            failures += 1
            delay = backoff.delay(failures)
            log.warning(
                "transient failure, retrying",
                extra={
                    "attempt": failures,
                    "error": type(exc).__name__,
                    "retry_in_s": round(delay, 2),
                },
            )
            await asyncio.sleep(delay)


def _always(_: BaseException) -> bool:
    """Parking must not fail for good: the agent would go on and faust commit past the
    message. Whatever stops it (a bug), the agent waits, retrying, rather than lose it."""
    return True


async def _decode(message: ConsumerRecord, handler: Handler) -> CloudEvent:
    """Decoded, personal values unsealed: the vault away is retried, a message that is
    no CloudEvent (or whose seal is broken) raised."""
    return await handler.decode(message.value, message.headers)


async def _all_at_once(messages: Sequence[ConsumerRecord], handler: Handler) -> bool:
    """Apply `messages` when none of their records is held and each decodes, in LANES
    transactions at once, a record's messages all in one lane, in order (records are
    independent: Kafka orders nothing across them either); False (nothing done) when
    one of them needs the one-at-a-time path. A lane that fails leaves the others
    committed: applying them again, as the retry or that path does, changes nothing."""
    if await handler.any_held(messages):
        return False
    events = await handler.decode_all(messages)
    lanes: list[list[CloudEvent]] = [[] for _ in range(LANES)]
    for message, event in zip(messages, events, strict=True):
        if not isinstance(event, CloudEvent):
            return False
        lanes[zlib.crc32(message.key or b"") % LANES].append(event)
    done = await asyncio.gather(
        *map(handler.handle_all, filter(None, lanes)), return_exceptions=True
    )
    if failures := [failure for failure in done if isinstance(failure, BaseException)]:
        raise failures[0]  # once every lane has finished
    return True


async def _park_if_held(message: ConsumerRecord, handler: Handler) -> bool:
    return await handler.park_if_held(message)


async def _park(message: ConsumerRecord, error: Exception | None, handler: Handler) -> None:
    await handler.park(message, error)


def _record(message: Any, value: bytes | None) -> ConsumerRecord:
    """faust's message as the shared parking takes it."""
    headers = [(str(k), bytes(v)) for k, v in (message.headers or [])]
    return ConsumerRecord(
        message.topic, message.partition, message.offset, message.timestamp, 0,
        message.key, value, None, 0, 0, headers,
    )  # fmt: skip


def run_worker(app: faust.App, watchdog: Watchdog | None = None) -> None:
    """Run the app as a worker in this process until SIGTERM/SIGINT (or, with a
    `watchdog`, until it sees no heartbeat for its deadline)."""
    watching = watchdog.start() if watchdog is not None else None
    try:
        faust.Worker(
            app, loglevel="INFO", redirect_stdouts=False, logging_config=logging_config(SERVICE)
        ).execute_from_commandline()
    finally:
        if watching is not None:
            watching.set()
