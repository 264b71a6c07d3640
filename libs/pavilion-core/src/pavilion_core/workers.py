"""The long-running workers every service runs the same way: its outbox relay, a
consumer loop (reactions, projections) with its dead-letter producer, and a job run
every so often (outreach's overdue follow-ups, exhibitors' expired re-booking offers)."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import partial
from typing import Any, Protocol, TypeVar

from pavilion_core import runner
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import BatchHandler, Begin, ConsumerLoop, Handler
from pavilion_core.db import Pool
from pavilion_core.kafka import ensure_topics, started_producer
from pavilion_core.logging import describe
from pavilion_core.outages import transient
from pavilion_core.personal import Sealer
from pavilion_core.relay import OutboxRelay
from pavilion_core.upcasting import TopicReader

log = logging.getLogger(__name__)


async def relay(
    pool: Pool,
    kafka: KafkaSettings,
    *,
    service: str,
    topic: str,
    batch_size: int,
    stop: asyncio.Event,
) -> None:
    """Publish the service's events to its topic until `stop`."""
    await ensure_topics(kafka, [topic])
    async with started_producer(kafka, f"{service}-relay") as publisher:
        await OutboxRelay(pool, publisher, service=service, topic=topic, batch_size=batch_size).run(
            stop
        )


async def every(
    seconds: float, job: Callable[[], Awaitable[object]], stop: asyncio.Event, *, what: str
) -> None:
    """Run `job` every `seconds` until `stop`. A pass that fails is logged (a warning
    while PostgreSQL or Kafka is away, with the traceback otherwise), and the next pass
    tries again: a job must be safe to run twice, or in several instances at once."""
    while not stop.is_set():
        try:
            await job()
        except Exception as exc:
            if transient(exc):
                log.warning(
                    "%s failed; the next pass retries", what, extra={"error": describe(exc)}
                )
            else:
                log.exception("%s failed; the next pass retries", what)
        await runner.wait_first(stop, seconds=seconds)


async def consume(
    pool: Pool,
    kafka: KafkaSettings,
    *,
    service: str,
    group_id: str,
    topics: Sequence[str],
    handler: Handler,
    reader: TopicReader,
    sealer: Sealer,
    stop: asyncio.Event,
    begin: Begin | None = None,
    batch_handler: BatchHandler | None = None,
) -> None:
    """Apply `topics` with `handler` (or `batch_handler`, see ConsumerLoop), each event
    read by `reader`, until `stop`; poison goes to each topic's DLQ."""
    await ensure_topics(kafka, topics)
    async with started_producer(kafka, f"{service}-{group_id}-dlq") as dead_letters:
        await ConsumerLoop(
            pool=pool,
            kafka=kafka,
            group_id=group_id,
            topics=topics,
            handler=handler,
            reader=reader,
            dead_letters=dead_letters,
            sealer=sealer,
            begin=begin,
            batch_handler=batch_handler,
        ).run(stop)


class ServiceConfig(Protocol):
    """The settings every service that runs a relay and an API has."""

    @property
    def kafka(self) -> KafkaSettings: ...

    @property
    def topic(self) -> str: ...

    @property
    def relay_batch_size(self) -> int: ...

    @property
    def http_host(self) -> str: ...

    @property
    def http_port(self) -> int: ...


class Started(Protocol):
    """A service's bootstrap result: its pool, and a way to close everything."""

    @property
    def pool(self) -> Pool: ...

    async def close(self) -> None: ...


C = TypeVar("C", bound=ServiceConfig)
S = TypeVar("S", bound=Started)
C_in = TypeVar("C_in", bound=ServiceConfig, contravariant=True)
S_out = TypeVar("S_out", bound=Started, covariant=True)


class Start(Protocol[C_in, S_out]):
    def __call__(self, config: C_in, *, pool_size: int = ...) -> Awaitable[S_out]: ...


def service_main(
    service: str,
    *,
    config: Callable[[], C],
    start: Start[C, S],
    create_app: Callable[[C], Any],
    workers: Mapping[str, Callable[[C, S, asyncio.Event], Awaitable[None]]],
    others: Mapping[str, Callable[[], None]] | None = None,
) -> None:
    """`python -m <service> api|relay|migrate|<worker>…` for a service with an event
    store: each worker gets the settings, a started service (closed afterwards) and the
    stop event; `relay` publishes the service's events to its topic."""

    async def run_relay(settings: C, services: S, stop: asyncio.Event) -> None:
        await relay(
            services.pool,
            settings.kafka,
            service=service,
            topic=settings.topic,
            batch_size=settings.relay_batch_size,
            stop=stop,
        )

    async def started(
        work: Callable[[C, S, asyncio.Event], Awaitable[None]], stop: asyncio.Event
    ) -> None:
        settings = config()
        services = await start(settings, pool_size=3)
        try:
            await work(settings, services, stop)
        finally:
            await services.close()

    async def migrate() -> None:
        """The one-shot init of a deployment: the service's tables and its topic (+ DLQ)."""
        settings = config()
        await (await start(settings, pool_size=1)).close()
        await ensure_topics(settings.kafka, [settings.topic])

    def api() -> tuple[Any, str, int]:
        settings = config()
        return create_app(settings), settings.http_host, settings.http_port

    runner.main(
        service,
        api=api,
        migrate=migrate,
        others=others,
        workers={
            name: partial(started, work) for name, work in {"relay": run_relay, **workers}.items()
        },
    )
