"""A consumer of Pavilion's topics: each message parsed (pavilion_kit.envelope) and handed
to your handlers, offsets committed only once they returned (at least once).

* `on_event(envelope, event)` gets every typed event but the forgetting ones;
* `on_contact_forgotten(envelope, event)` gets `ContactForgottenV1` (outreach) and
  `ExhibitorContactForgottenV1` (exhibitors): erase what you hold about that person;
* `on_unknown(unknown)` gets what the kit cannot type (a newer version or type, a
  malformed message): by default it is logged and skipped; raise in yours to stop.

A handler that raises stops `run`: the offsets of the messages handled before it are
committed, so the next run starts again at the one that failed. A message whose `ce_id`
was handled recently (the last `remember` ids, in memory) is skipped; after a restart or
a rebalance it may come again, so handlers must be idempotent (store the record's
`ce_streamversion`, or the `ce_id`, with your effect). Events of one record (one key)
come in order.

The connection comes from the environment (`kafka_options`), and any keyword argument of
aiokafka's AIOKafkaConsumer overrides it (`security_protocol`, `sasl_mechanism`,
`sasl_plain_username`, `sasl_plain_password`, `ssl_context`…); auto-commit is always off.
"""

import asyncio
import logging
import os
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import CommitFailedError
from aiokafka.helpers import create_ssl_context

from pavilion_kit.envelope import Envelope, Record, UnknownEvent, parse
from pavilion_kit.event import Event
from pavilion_kit.events.exhibitors import ExhibitorContactForgottenV1
from pavilion_kit.events.outreach import ContactForgottenV1

log = logging.getLogger("pavilion_kit")

Forgotten = ContactForgottenV1 | ExhibitorContactForgottenV1
Handler = Callable[[Envelope, Event], Awaitable[None]]
ForgottenHandler = Callable[[Envelope, Forgotten], Awaitable[None]]
UnknownHandler = Callable[[UnknownEvent], Awaitable[None]]
DEFAULT_BOOTSTRAP = "127.0.0.1:19092"


def kafka_options(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """AIOKafkaConsumer's connection options from the environment:
    `PAVILION_KAFKA_BOOTSTRAP` (default 127.0.0.1:19092); with `PAVILION_KAFKA_USERNAME`
    and `PAVILION_KAFKA_PASSWORD`, SASL with `PAVILION_KAFKA_SASL_MECHANISM` (default
    SCRAM-SHA-512) over `PAVILION_KAFKA_SECURITY_PROTOCOL` (default SASL_PLAINTEXT;
    SASL_SSL verifies the brokers against the system's certificate authorities)."""
    options: dict[str, Any] = {
        "bootstrap_servers": environ.get("PAVILION_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    }
    username = environ.get("PAVILION_KAFKA_USERNAME")
    if username:
        options |= {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_mechanism": environ.get("PAVILION_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512"),
            "sasl_plain_username": username,
            "sasl_plain_password": environ.get("PAVILION_KAFKA_PASSWORD", ""),
        }
    protocol = environ.get("PAVILION_KAFKA_SECURITY_PROTOCOL")
    if protocol:
        options["security_protocol"] = protocol
    if options.get("security_protocol", "").endswith("SSL"):
        options["ssl_context"] = create_ssl_context()
    return options


async def log_unknown(unknown: UnknownEvent) -> None:
    """The default for what the kit cannot type: say so (no data), and skip it."""
    log.warning(
        "skipped %s/%d@%d: %s", unknown.topic, unknown.partition, unknown.offset, unknown.reason
    )


class Consumer:
    """Pavilion's events of `topics`, read by the consumer group `group_id` (from the
    beginning when the group is new) and handed to your handlers."""

    def __init__(
        self,
        *topics: str,
        group_id: str,
        on_event: Handler,
        on_contact_forgotten: ForgottenHandler,
        on_unknown: UnknownHandler = log_unknown,
        remember: int = 10_000,
        **kafka: Any,
    ) -> None:
        self.topics = topics
        self.options = {
            **kafka_options(),
            "auto_offset_reset": "earliest",
            **kafka,
            "group_id": group_id,
            "enable_auto_commit": False,
        }
        self.on_event = on_event
        self.on_contact_forgotten = on_contact_forgotten
        self.on_unknown = on_unknown
        self.remember = remember
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Consume until `stop` is set (or a handler raises)."""
        consumer = AIOKafkaConsumer(*self.topics, **self.options)
        await consumer.start()
        try:
            while stop is None or not stop.is_set():
                batch = await consumer.getmany(timeout_ms=500)
                done: dict[Any, int] = {}
                try:
                    for partition, records in batch.items():
                        for record in records:
                            await self.handle(record)
                            done[partition] = record.offset + 1
                finally:
                    await _commit(consumer, done)
        finally:
            await consumer.stop()

    async def handle(self, record: Record) -> None:
        """Hand one message to the handler its kind calls for."""
        parsed = parse(record)
        if isinstance(parsed, UnknownEvent):
            await self.on_unknown(parsed)
            return
        envelope, event = parsed
        if envelope.id in self._seen:
            return
        if isinstance(event, Forgotten):
            await self.on_contact_forgotten(envelope, event)
        else:
            await self.on_event(envelope, event)
        self._seen[envelope.id] = None
        if len(self._seen) > self.remember:
            self._seen.popitem(last=False)


async def _commit(consumer: AIOKafkaConsumer, done: dict[Any, int]) -> None:
    if not done:
        return
    try:
        await consumer.commit(done)
    except CommitFailedError:  # partitions moved to another member, which reads them again
        log.warning("offsets not committed (group rebalanced): those messages come again")
