"""Generated histories through the consumer loop and the projector, on the real
PostgreSQL: whatever Kafka and the relay do to delivery — records of different streams
interleaved in any order, events published again (after newer ones of their stream),
a batch rolled back by a transient failure and applied again, a message that fails
until its fault is fixed and is then redriven — the read model ends as if each
stream's events had been applied once, in order.

The messages are made here and handed to the loop batch by batch as a fetch would
(no broker: hypothesis makes many examples); the loop's transactions, fences, parking
and redrive are the real ones.
"""

import json
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord, TopicPartition
from gateway.projector import project
from gateway.readmodel import create_generation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, KafkaRecord, from_kafka
from pavilion_core.fence import stored_offsets
from pavilion_core.outages import TRANSIENT
from pavilion_core.parking import request_redrive

from tests.support import kafka_record, registered, submitted_data

TOPIC, PARTITIONS, GROUP = "pavilion.histories.v1", 3, "histories"
TABLES = ("exhibitors", "booths", "contacts", "consents")
EDITION, HALL = "CISCE-2026", "A"
FLOOR = f"floorplan:{EDITION}:{HALL}"

# -- histories: each stream's events, in order -------------------------------------------

LIFECYCLES = [
    ["ReviewStarted", "ApplicationApproved", "ContractIssued", "ContractSigned",
     "PaymentRecorded", "BoothAssigned", "ParticipationConfirmed"],
    ["ReviewStarted", "ApplicationRejected"],
    ["ReviewStarted", "ApplicationWaitlisted", "ApplicationWithdrawn"],
]  # fmt: skip


def _application(
    app: str, steps: Sequence[str], profile_at: int | None
) -> list[tuple[str, dict[str, Any]]]:
    events: list[tuple[str, dict[str, Any]]] = [
        ("ApplicationSubmitted", submitted_data(app, f"Co {app[:6]}", "DE", [], "SMART_VEHICLES"))
    ]
    more = {
        "ContractIssued": {"amount": 12000, "currency": "CNY"},
        "PaymentRecorded": {"paidTotal": 6000},
        "BoothAssigned": {"hall": HALL, "boothCode": "A-1", "sizeSqm": 18},
    }
    for i, step in enumerate(steps):
        if i == profile_at:
            events.append(("ExhibitorProfileUpdated", {"companyName": f"Renamed {app[:4]}",
                           "country": "FR", "website": None, "description": "new"}))  # fmt: skip
        events.append((step, more.get(step, {})))
    return [(t, {"applicationId": app, **d}) for t, d in events]


def _contact(contact: str, consents: Sequence[bool]) -> list[tuple[str, dict[str, Any]]]:
    events = [("ContactRegistered", registered(contact, "Ada Li", f"{contact}@x.test", "CA", "en"))]
    at = "2026-01-01T00:00:00+00:00"
    for granted in consents:
        kind = {"channel": "EMAIL", "purpose": "MARKETING"}
        if granted:
            events.append(("ConsentGranted", {**kind, "legalBasis": "CONSENT",
                           "evidence": "form", "grantedAt": at, "expiresAt": None}))  # fmt: skip
        else:
            events.append(("ConsentWithdrawn", {**kind, "withdrawnAt": at}))
    return [(t, {"contactId": contact, **d}) for t, d in events]


def _floor(changes: Sequence[tuple[int, bool]]) -> list[tuple[str, dict[str, Any]]]:
    """Two booths defined, then allocations and releases."""
    booth = {"edition": EDITION, "hall": HALL}
    events = [("BoothDefined", {**booth, "boothCode": f"A-{n}", "sizeSqm": 18,
               "supplyChainArea": "SMART_VEHICLES"}) for n in (1, 2)]  # fmt: skip
    for n, allocate in changes:
        code = {**booth, "boothCode": f"A-{n}"}
        events.append(
            ("BoothAllocated", {**code, "applicationId": str(uuid.uuid4())})
            if allocate
            else ("BoothReleased", code)
        )
    return events


@st.composite
def streams(draw: st.DrawFn) -> list[list[KafkaRecord]]:
    """Each stream's events as the relay publishes them."""
    found: list[tuple[str, str, list[tuple[str, dict[str, Any]]]]] = []
    for _ in range(draw(st.integers(1, 3))):
        app, path = str(uuid.uuid4()), draw(st.sampled_from(LIFECYCLES))
        steps = path[: draw(st.integers(0, len(path)))]
        profile_at = draw(st.none() | st.integers(0, max(len(steps) - 1, 0)))
        found.append(("exhibitors", app, _application(app, steps, profile_at)))
    for _ in range(draw(st.integers(0, 2))):
        contact = str(uuid.uuid4())
        found.append(
            ("outreach", contact, _contact(contact, draw(st.lists(st.booleans(), max_size=4))))
        )
    if draw(st.booleans()):
        found.append(
            (
                "exhibitors",
                FLOOR,
                _floor(
                    draw(st.lists(st.tuples(st.sampled_from([1, 2]), st.booleans()), max_size=4))
                ),
            )
        )
    return [
        [kafka_record(source, t, subject, version=v, **d) for v, (t, d) in enumerate(events, 1)]
        for source, subject, events in found
    ]


@dataclass(frozen=True)
class Delivery:
    """The log as the consumer meets it, and what goes wrong on the way."""

    log: list[KafkaRecord]  # interleaved across streams, with copies published again
    batch_sizes: list[int]
    poisoned: str  # an event id that fails until its fault is fixed
    transient_at: int | None  # the n-th handling fails once, transiently


@st.composite
def deliveries(draw: st.DrawFn, history: list[list[KafkaRecord]]) -> Delivery:
    pending = [list(events) for events in history]
    log: list[KafkaRecord] = []
    while any(pending):
        stream = draw(st.sampled_from([s for s in pending if s]))
        log.append(stream.pop(0))
        if log and draw(st.integers(0, 9)) == 0:  # the relay publishes a batch again
            start = draw(st.integers(0, len(log) - 1))
            log.extend(log[start : start + draw(st.integers(1, 3))])
    every = [e for events in history for e in events]
    return Delivery(
        log=log,
        batch_sizes=draw(st.lists(st.integers(1, 6), min_size=1, max_size=8)),
        poisoned=_id(draw(st.sampled_from(every))),
        transient_at=draw(st.none() | st.integers(0, len(log))),
    )


def _id(record: KafkaRecord) -> str:
    return dict(record.headers)["ce_id"].decode()


# -- the consumer, fed batch by batch ----------------------------------------------------


class Faults:
    """The projector, failing on `poisoned` until fixed, and once, transiently, at the
    `transient_at`-th event it handles."""

    def __init__(self, delivery: Delivery) -> None:
        self.poisoned, self.transient_at = delivery.poisoned, delivery.transient_at
        self.fixed, self.handled = False, 0

    def check(self, event: CloudEvent) -> None:
        self.handled += 1
        if self.handled == self.transient_at:
            raise ConnectionResetError("the database went away")
        if event.id == self.poisoned and not self.fixed:
            raise ValueError("a projection bug")

    async def one(self, conn: Connection, event: CloudEvent) -> None:
        self.check(event)
        await project(conn, event)

    async def batch(self, conn: Connection, events: list[CloudEvent]) -> None:
        for event in events:
            self.check(event)
        await project.batch(conn, events)


def _partitioned(log: list[KafkaRecord]) -> dict[TopicPartition, list[ConsumerRecord]]:
    """The log on the topic's partitions (by key, as the producer places them)."""
    placed: dict[TopicPartition, list[ConsumerRecord]] = {}
    for record in log:
        tp = TopicPartition(TOPIC, zlib.crc32(record.key) % PARTITIONS)
        offset = len(placed.setdefault(tp, []))
        placed[tp].append(
            ConsumerRecord(
                TOPIC,
                tp.partition,
                offset,
                0,
                0,
                record.key,
                record.value,
                None,
                len(record.key),
                len(record.value),
                record.headers,
            )
        )
    return placed


async def _consume(loop: ConsumerLoop, pool: asyncpg.Pool, delivery: Delivery) -> None:
    """Batches as fetches bring them: a few messages of each partition at a time; after a
    transient failure, from the stored offsets again (what the loop's seek does)."""
    placed, sizes, turn = _partitioned(delivery.log), delivery.batch_sizes, 0
    at = {tp: 0 for tp in placed}
    loop.expect(dict(at))
    while any(at[tp] < len(messages) for tp, messages in placed.items()):
        batch = {}
        for tp, messages in placed.items():
            if at[tp] < len(messages):
                batch[tp] = messages[at[tp] : at[tp] + sizes[turn % len(sizes)]]
                turn += 1
        try:
            await loop.apply(batch)
        except TRANSIENT:
            at = {tp: (await stored_offsets(pool, GROUP)).get(tp, 0) for tp in placed}
            loop.expect(dict(at))
            continue
        for tp, messages in batch.items():
            at[tp] += len(messages)


async def _once_in_order(pool: asyncpg.Pool, history: list[list[KafkaRecord]]) -> None:
    """The reference: every stream's events applied once, in order, into generation 2."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL search_path TO read_model_2, public")
        for events in history:
            for record in events:
                await project(conn, from_kafka(record.value, record.headers))


async def _rows(pool: asyncpg.Pool, schema: str) -> dict[str, list[str]]:
    found = {}
    for table in TABLES:
        rows = await pool.fetch(f"SELECT to_jsonb(t) AS row FROM {schema}.{table} t")
        found[table] = sorted(json.dumps(json.loads(r["row"]), sort_keys=True) for r in rows)
    found["timeline"] = sorted(
        str(r["event_id"]) for r in await pool.fetch(f"SELECT event_id FROM {schema}.timeline")
    )
    return found


async def _reset(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        if not await conn.fetchval(
            "SELECT count(*) FROM pg_namespace WHERE nspname = 'read_model_2'"
        ):
            await create_generation(conn, 2)
        for schema in ("read_model_1", "read_model_2"):
            await conn.execute(
                f"TRUNCATE {', '.join(f'{schema}.{t}' for t in (*TABLES, 'timeline'))}"
            )
        await conn.execute("TRUNCATE consumer_offsets, parked_messages")


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
async def test_any_delivery_ends_as_each_stream_applied_once_in_order(
    data: st.DataObject, read_pool: asyncpg.Pool, kafka: KafkaSettings
):
    history = data.draw(streams(), label="history")
    delivery = data.draw(deliveries(history), label="delivery")
    await _reset(read_pool)
    faults = Faults(delivery)
    loop = ConsumerLoop(
        pool=read_pool, kafka=kafka, group_id=GROUP, topics=[TOPIC], handler=faults.one,
        batch_handler=faults.batch, dead_letters=None,
    )  # fmt: skip

    await _consume(loop, read_pool, delivery)
    faults.transient_at, faults.fixed = (
        None,
        True,
    )  # the fix is deployed; an operator asks for the redrive
    await request_redrive(read_pool, GROUP)
    await loop.redrive()

    assert not await read_pool.fetchval("SELECT count(*) FROM parked_messages")
    await _once_in_order(read_pool, history)
    assert await _rows(read_pool, "read_model_1") == await _rows(read_pool, "read_model_2")
