"""Helpers for the tests: waiting on conditions, reading topics, checking contracts."""

import asyncio
import itertools
import json
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import jsonschema
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from pavilion_contracts.personal import wire_schema
from pavilion_contracts.reader import READER
from pavilion_core.config import DEFAULT_PG_URL, KafkaSettings
from pavilion_core.envelope import (
    CloudEvent,
    KafkaRecord,
    RecordedEvent,
    header_attributes,
    to_kafka,
)
from pavilion_core.service_tokens import ServiceTokens, SignedAs

SCHEMAS = Path(__file__).parent.parent / "schemas" / "events"
PG_URL = os.environ.get("PAVILION_PG_URL", DEFAULT_PG_URL).rstrip("/")
# The story of DOMAIN.md is set half a year before the 4th expo opens (June 2026).
STORY_TIME = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
# After the 4th expo: its demo story (exhibitors.demo) is history by then.
AFTER_THE_EXPO = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
# Recruiting for the 5th (exhibitors.recruiting): its applications open since September.
RECRUITING_THE_5TH = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
T = TypeVar("T")


def signed(service: str, actor: str = "staff:test", privileges: Sequence[str] = ()) -> SignedAs:
    """httpx auth for a command API: a service token naming `actor`, as the gateway or an
    operator command would mint it (the tests run in dev mode: the dev secret)."""
    return SignedAs(ServiceTokens.from_env(), actor, service, privileges)


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, and never one handed out before in this run: the OS
    may give the same ephemeral port to two binds in a row, and two servers of one
    stack on one port would answer each other's requests."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


def keys_on_one_partition(count: int, partitions: int) -> list[bytes]:
    """`count` keys (records) that the producer puts on one partition of a topic of
    `partitions`: their messages are consumed in the order they were published."""
    every = list(range(partitions))
    where = partial(DefaultPartitioner(), all_partitions=every, available=every)
    keys = (f"record-{i}".encode() for i in itertools.count())
    return list(itertools.islice((k for k in keys if where(k) == where(b"record-0")), count))


def kafka_record(
    service: str,
    event_type: str,
    subject: str,
    *,
    version: int = 1,
    schema_version: int = 1,
    **data: Any,
) -> KafkaRecord:
    """A CloudEvent as `service` would publish it (at `version` of its stream; of
    `schema_version` of its event type, as a producer of that version did), with fresh
    ids."""
    return to_kafka(
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=subject,
            version=version,
            position=1,
            type=event_type,
            schema_version=schema_version,
            data=data,
            metadata={"correlation_id": "test", "actor": "staff"},
            recorded_at=datetime.now(UTC),
        ),
        service,
    )


def fetched(record: KafkaRecord, topic: str, partition: int, offset: int) -> ConsumerRecord:
    """`record` as a consumer fetches it from `topic`, at `offset` of `partition`."""
    return ConsumerRecord(topic, partition, offset, 0, 0, record.key, record.value, None,
                          len(record.key), len(record.value), record.headers)  # fmt: skip


def cloud_event(
    service: str,
    event_type: str,
    subject: str,
    *,
    version: int = 1,
    schema_version: int = 1,
    **data: Any,
) -> CloudEvent:
    """The same, as a consumer decodes it (upcast to the latest version)."""
    record = kafka_record(
        service, event_type, subject, version=version, schema_version=schema_version, **data
    )
    return READER.decode(record.value, record.headers)


def registered(contact: str, name: str, email: str, country: str, language: str) -> dict[str, Any]:
    """The data of outreach's ContactRegistered for `contact`."""
    return {"contactId": contact, "name": name, "title": None, "email": email, "phone": None,
            "country": country, "language": language, "organizationId": None}  # fmt: skip


def scheduled(
    event: str, name: str, city: str, country: str, starts: datetime, ends: datetime, **more: Any
) -> dict[str, Any]:
    """The data of outreach's OutreachEventScheduled for `event` (a FORUM, the trip's
    first stop, no venue or capacity, unless `more` says otherwise)."""
    return {"eventId": event, "tripId": event, "stopIndex": 0, "name": name, "kind": "FORUM",
            "city": city, "country": country, "venue": None, "startsAt": starts.isoformat(),
            "endsAt": ends.isoformat(), "capacity": None, **more}  # fmt: skip


def submitted_data(
    app: str, company: str, country: str, contacts: list[dict[str, Any]], area: str
) -> dict[str, Any]:
    """The data of exhibitors' ApplicationSubmitted for `app`: a first application."""
    return {"applicationId": app, "edition": "CISCE-2026", "companyName": company,
            "country": country, "supplyChainAreas": [area], "productCategories": [],
            "contacts": contacts, "organizationId": None, "sourceInterestId": None,
            "previousEditions": 0, "boothSizeSqm": None}  # fmt: skip


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The JSON body of an answer that must have `status`."""
    assert response.status_code == status, response.text
    return response.json()  # type: ignore[no-any-return]


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The error of an answer that must be a refusal with `status` and `code`."""
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


async def admin_sql(sql: str) -> None:
    """Run `sql` on the server's maintenance database (CREATE/DROP DATABASE)."""
    conn = await asyncpg.connect(f"{PG_URL}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    *,
    within: float = 20.0,
    interval: float = 0.05,
    what: str = "condition",
) -> T:
    """Poll `probe` until it returns something truthy; fail after `within` seconds."""
    deadline = time.monotonic() + within
    while True:
        result = await probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s (last: {result!r})")
        await asyncio.sleep(interval)


async def read_topic(
    kafka: KafkaSettings,
    topic: str,
    until: Callable[[list[ConsumerRecord]], bool],
    *,
    within: float = 30.0,
) -> list[ConsumerRecord]:
    """Every message of `topic` from the beginning, once `until(messages)` holds."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await eventually(
            lambda: _partitions(consumer, topic), what=f"metadata of {topic}"
        )
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        await consumer.seek_to_beginning()
        messages: list[ConsumerRecord] = []
        deadline = time.monotonic() + within
        while not until(messages):
            if time.monotonic() > deadline:
                raise AssertionError(f"{topic}: condition not met, {len(messages)} messages read")
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                messages.extend(batch)
        return messages
    finally:
        await consumer.stop()


async def topic_size(kafka: KafkaSettings, topic: str) -> int:
    """How many messages the topic holds (sum of its partitions' end offsets)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await eventually(
            lambda: _partitions(consumer, topic), what=f"{topic} metadata"
        )
        ends = await consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return sum(ends.values())
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    await consumer._client.force_metadata_update()
    return consumer.partitions_for_topic(topic) or set()


@cache
def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text())


def _wire(name: str) -> dict[str, Any]:
    """An event's schema as stored and published: personal values sealed."""
    return wire_schema(_schema(name))


async def assert_stored_events_valid(pool: asyncpg.Pool, service: str) -> set[str]:
    """Every event in a service's store matches its schema; returns the types seen."""
    seen = set()
    for row in await pool.fetch("SELECT type, schema_version, data FROM events"):
        schema = _wire(f"{service}/{row['type']}.v{row['schema_version']}.schema.json")
        jsonschema.validate(
            json.loads(row["data"]), schema, format_checker=jsonschema.FormatChecker()
        )
        seen.add(row["type"])
    return seen


def assert_valid_event(message: ConsumerRecord) -> None:
    """The message's headers match the CloudEvents envelope and its value its event schema."""
    headers = header_attributes(message.headers)
    checker = jsonschema.FormatChecker()
    jsonschema.validate(headers, _schema("cloudevent.kafka.schema.json"), format_checker=checker)
    assert message.key.decode() == headers["ce_subject"]
    _, service, event_type, version = headers["ce_type"].split(".")
    schema = _wire(f"{service}/{event_type}.{version}.schema.json")
    jsonschema.validate(json.loads(message.value), schema, format_checker=checker)
