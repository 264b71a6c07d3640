"""Generated histories through the consumer loop into every consumer's state, on the
real PostgreSQL: whatever Kafka and the relay do to delivery — records of different
streams interleaved in any order, events published again (after newer ones of their
stream), a batch rolled back by a transient failure and applied again, a message that
fails until its fault is fixed and is then redriven — the state ends as if each
stream's events had been applied once, in order. Consumers: the gateway's projector
(the read model), outreach's reactor (the follow-up schedule), the notifier's views.

The messages are made here and handed to the loop batch by batch as a fetch would
(no broker: hypothesis makes many examples); the loop's transactions, fences, parking
and redrive are the real ones. The reference is the same database, emptied, with each
stream's events applied once, in order.
"""

import json
import uuid
import zlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord, TopicPartition
from gateway.projector import project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from notifications.pipeline import Notifier
from outreach.consumers import Reactions
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import BatchHandler, ConsumerLoop, Handler
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent, KafkaRecord
from pavilion_core.fence import stored_offsets
from pavilion_core.outages import TRANSIENT
from pavilion_core.parking import request_redrive
from pavilion_core.personal import Sealer
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, fetched, kafka_record, registered, scheduled, submitted_data

TOPIC, PARTITIONS, GROUP = "pavilion.histories.v1", 3, "histories"
EDITION, HALL = "CISCE-2026", "A"
FLOOR = f"floorplan:{EDITION}:{HALL}"
Stream = tuple[str, str, list[tuple[str, dict[str, Any]]]]  # source, subject, events
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

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
        "ContractIssued": {"amount": 12000, "currency": "CNY", "dueDate": "2026-03-31"},
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


def _due(days: int) -> str:
    return (STORY_TIME + timedelta(days=days)).isoformat()


def _follow_up(
    follow_up: str, changes: Sequence[int], closed: str | None
) -> list[tuple[str, dict[str, Any]]]:
    """Scheduled, moved (or announced overdue) `changes` times, perhaps closed."""
    events = [("FollowUpScheduled", {"subjectId": str(uuid.uuid4()), "owner": "staff:ada",
               "dueAt": _due(1), "note": None})]  # fmt: skip
    for days in changes:
        events.append(("FollowUpRescheduled", {"dueAt": _due(days)}) if days > 0
                      else ("FollowUpBecameOverdue", {"dueAt": _due(1)}))  # fmt: skip
    if closed:
        events.append((closed, {"outcome": "met"} if closed == "FollowUpCompleted" else {}))
    return [(t, {"followUpId": follow_up, **d}) for t, d in events]


def _outreach_event(
    event: str, moves: Sequence[int], ending: str | None
) -> list[tuple[str, dict[str, Any]]]:
    starts = STORY_TIME + timedelta(days=30)
    events = [("OutreachEventScheduled", scheduled(event, "Forum", "Toronto", "CA", starts,
               starts + timedelta(hours=3), timeZone="America/Toronto"))]  # fmt: skip
    for days in moves:
        at = starts + timedelta(days=days)
        events.append(("OutreachEventRescheduled", {"eventId": event, "startsAt": at.isoformat(),
                       "endsAt": (at + timedelta(hours=3)).isoformat()}))  # fmt: skip
    if ending:
        events.append((ending, {"eventId": event}))
    return events


def _exhibitor_contacts(app: str, changes: Sequence[bool]) -> list[tuple[str, dict[str, Any]]]:
    """Submitted with one contact person, who is removed and added back in turns."""
    person = {"name": "Li Wei", "email": f"li@{app[:8]}.test", "phone": None}
    events = [
        (
            "ApplicationSubmitted",
            submitted_data(app, f"Co {app[:6]}", "CN", [person], "SMART_VEHICLES"),
        )
    ]
    for add in changes:
        events.append(("ExhibitorContactAdded" if add else "ExhibitorContactRemoved",
                       {"applicationId": app, **person}))  # fmt: skip
    return events


def _several(draw: st.DrawFn, most: int, make: Callable[[], Stream]) -> list[Stream]:
    return [make() for _ in range(draw(st.integers(0, most)))]


@st.composite
def read_model_streams(draw: st.DrawFn) -> list[Stream]:
    def application() -> Stream:
        app, path = str(uuid.uuid4()), draw(st.sampled_from(LIFECYCLES))
        steps = path[: draw(st.integers(0, len(path)))]
        profile_at = draw(st.none() | st.integers(0, max(len(steps) - 1, 0)))
        return ("exhibitors", app, _application(app, steps, profile_at))

    def contact() -> Stream:
        who = str(uuid.uuid4())
        return ("outreach", who, _contact(who, draw(st.lists(st.booleans(), max_size=4))))

    def floor() -> Stream:
        changes = draw(st.lists(st.tuples(st.sampled_from([1, 2]), st.booleans()), max_size=4))
        return ("exhibitors", FLOOR, _floor(changes))

    return [
        application(),
        *_several(draw, 2, application),
        *_several(draw, 2, contact),
        *_several(draw, 1, floor),
    ]


@st.composite
def schedule_streams(draw: st.DrawFn) -> list[Stream]:
    def follow_up() -> Stream:
        which = str(uuid.uuid4())
        changes = draw(st.lists(st.integers(0, 9), max_size=4))
        closed = draw(st.sampled_from([None, "FollowUpCompleted", "FollowUpCancelled"]))
        return ("outreach", which, _follow_up(which, changes, closed))

    return [follow_up(), *_several(draw, 3, follow_up)]


@st.composite
def view_streams(draw: st.DrawFn) -> list[Stream]:
    def contact() -> Stream:
        who = str(uuid.uuid4())
        return ("outreach", who, _contact(who, draw(st.lists(st.booleans(), max_size=4))))

    def gathering() -> Stream:
        event = str(uuid.uuid4())
        moves = draw(st.lists(st.integers(1, 5), max_size=3))
        ending = draw(st.sampled_from([None, "OutreachEventHeld", "OutreachEventCancelled"]))
        return ("outreach", event, _outreach_event(event, moves, ending))

    def application() -> Stream:
        app = str(uuid.uuid4())
        return (
            "exhibitors",
            app,
            _exhibitor_contacts(app, draw(st.lists(st.booleans(), max_size=3))),
        )

    return [
        contact(),
        *_several(draw, 1, contact),
        *_several(draw, 2, gathering),
        *_several(draw, 2, application),
    ]


def _published(streams: list[Stream]) -> list[list[KafkaRecord]]:
    """Each stream's events as the relay publishes them."""
    return [
        [kafka_record(source, t, subject, version=v, **d) for v, (t, d) in enumerate(events, 1)]
        for source, subject, events in streams
    ]


@dataclass(frozen=True)
class Delivery:
    """The log as the consumer meets it, and what goes wrong on the way."""

    log: list[KafkaRecord]  # interleaved across streams, with copies published again
    batch_sizes: list[int]
    poisoned: str  # an event id that fails until its fault is fixed
    transient_at: int | None  # the n-th handling fails once, transiently
    fixed_at: int | None  # after this many batches, the fix deployed and a redrive asked


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
        fixed_at=draw(st.none() | st.integers(0, 12)),
    )


def _id(record: KafkaRecord) -> str:
    return dict(record.headers)["ce_id"].decode()


# -- the consumer, fed batch by batch ----------------------------------------------------


class Faults:
    """A consumer's handlers, failing on `poisoned` until fixed, and once, transiently,
    at the `transient_at`-th event they handle."""

    def __init__(self, delivery: Delivery, one: Handler, batch: BatchHandler | None) -> None:
        self.poisoned, self.transient_at = delivery.poisoned, delivery.transient_at
        self.fixed, self.handled = False, 0
        self._one, self._batch = one, batch

    def check(self, event: CloudEvent) -> None:
        self.handled += 1
        if self.handled == self.transient_at:
            raise ConnectionResetError("the database went away")
        if event.id == self.poisoned and not self.fixed:
            raise ValueError("a projection bug")

    async def one(self, conn: Connection, event: CloudEvent) -> None:
        self.check(event)
        await self._one(conn, event)

    async def batch(self, conn: Connection, events: list[CloudEvent]) -> None:
        assert self._batch is not None
        for event in events:
            self.check(event)
        await self._batch(conn, events)


def _partitioned(log: list[KafkaRecord]) -> dict[TopicPartition, list[ConsumerRecord]]:
    """The log on the topic's partitions (by key, as the producer places them)."""
    placed: dict[TopicPartition, list[ConsumerRecord]] = {}
    for record in log:
        tp = TopicPartition(TOPIC, zlib.crc32(record.key) % PARTITIONS)
        offset = len(placed.setdefault(tp, []))
        placed[tp].append(fetched(record, TOPIC, tp.partition, offset))
    return placed


async def _consume(
    loop: ConsumerLoop, pool: asyncpg.Pool, delivery: Delivery, fix: Callable[[], Awaitable[None]]
) -> None:
    """Batches as fetches bring them: a few messages of each partition at a time; after a
    transient failure, from the stored offsets again (what the loop's seek does); `fix`
    after `fixed_at` batches, while the rest of the log is still to come."""
    placed, sizes, turn, batches = _partitioned(delivery.log), delivery.batch_sizes, 0, 0
    at = {tp: 0 for tp in placed}
    loop.expect(dict(at))
    while any(at[tp] < len(messages) for tp, messages in placed.items()):
        if batches == delivery.fixed_at:
            await fix()
        batches += 1
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


@dataclass(frozen=True)
class Consumer:
    """A consumer under test: its handlers, its database and the tables of its state."""

    pool: asyncpg.Pool
    one: Handler
    batch: BatchHandler | None
    tables: tuple[str, ...]


async def _state(consumer: Consumer) -> dict[str, list[str]]:
    found = {}
    for table in consumer.tables:
        rows = await consumer.pool.fetch(f"SELECT to_jsonb(t) AS row FROM {table} t")
        found[table] = sorted(json.dumps(json.loads(r["row"]), sort_keys=True) for r in rows)
    return found


async def _empty(consumer: Consumer) -> None:
    tables = ", ".join((*consumer.tables, "consumer_offsets", "parked_messages"))
    await consumer.pool.execute(f"TRUNCATE {tables}")


async def _ends_as_once_in_order(
    consumer: Consumer,
    kafka: KafkaSettings,
    history: list[list[KafkaRecord]],
    delivery: Delivery,
    sealer: Sealer,
) -> None:
    await _empty(consumer)
    faults = Faults(delivery, consumer.one, consumer.batch)
    loop = ConsumerLoop(
        pool=consumer.pool, kafka=kafka, group_id=GROUP, topics=[TOPIC], handler=faults.one,
        reader=READER, batch_handler=faults.batch if consumer.batch else None, dead_letters=None,
        sealer=sealer,
    )  # fmt: skip

    async def fix() -> None:  # the fix is deployed; a redrive asked for
        faults.transient_at, faults.fixed = None, True
        await request_redrive(consumer.pool, GROUP)
        await loop.redrive()

    await _consume(loop, consumer.pool, delivery, fix)
    await fix()
    assert not await consumer.pool.fetchval("SELECT count(*) FROM parked_messages")
    delivered = await _state(consumer)

    await _empty(consumer)
    for events in history:
        for record in events:
            async with consumer.pool.acquire() as conn, conn.transaction():
                await consumer.one(conn, READER.decode(record.value, record.headers))
    assert delivered == await _state(consumer)


@EXAMPLES
@given(data=st.data())
async def test_the_read_model_ends_as_each_stream_applied_once_in_order(
    data: st.DataObject, read_pool: asyncpg.Pool, kafka: KafkaSettings, sealer: Sealer
):
    history = _published(data.draw(read_model_streams(), label="streams"))
    delivery = data.draw(deliveries(history), label="delivery")
    tables = ("exhibitors", "booths", "contacts", "consents", "timeline")
    projector = Consumer(read_pool, project, project.batch, tables)
    await _ends_as_once_in_order(projector, kafka, history, delivery, sealer)


@EXAMPLES
@given(data=st.data())
async def test_the_follow_up_schedule_ends_as_each_stream_applied_once_in_order(
    data: st.DataObject, outreach_pool: asyncpg.Pool, kafka: KafkaSettings, sealer: Sealer
):
    history = _published(data.draw(schedule_streams(), label="streams"))
    delivery = data.draw(deliveries(history), label="delivery")
    reactor = Consumer(
        outreach_pool, Reactions(FixedClock(STORY_TIME), sealer), None, ("follow_up_schedule",)
    )
    await _ends_as_once_in_order(reactor, kafka, history, delivery, sealer)


@EXAMPLES
@given(data=st.data())
async def test_the_notifiers_views_end_as_each_stream_applied_once_in_order(
    data: st.DataObject,
    notifier: Notifier,
    notifications_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    sealer: Sealer,
):
    """The notifier commits its own transactions (as under the faust agent); its views
    are the state. (What it decides to send also depends on other streams' state at
    the time, so its ledger is not compared.)"""
    history = _published(data.draw(view_streams(), label="streams"))
    delivery = data.draw(deliveries(history), label="delivery")

    async def handle(_: Connection, event: CloudEvent) -> None:
        await notifier.handle(event)

    tables = ("recipients", "consents", "applications", "application_contacts", "outreach_events")
    views = Consumer(notifications_pool, handle, None, tables)
    await _ends_as_once_in_order(views, kafka, history, delivery, sealer)
