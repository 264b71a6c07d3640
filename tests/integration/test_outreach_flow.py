"""Outreach end to end on real PostgreSQL and Kafka, across both services: a trip and
its forum, 150 invited contacts, RSVPs, attendance, interests; one converted interest
makes exhibitors start a pre-filled application, whose submission marks the interest
converted; replaying the topics twice changes nothing. And the overdue job announces
each overdue follow-up exactly once, however often and however many run it."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, timedelta
from typing import TypeVar

import asyncpg
import pytest
from exhibitors.consumers import Reactions as ExhibitorReactions
from outreach.consumers import Reactions as OutreachReactions
from outreach.handlers import Handlers
from outreach.scheduler import announce_overdue
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import InterestKind, OrganizationKind, OutreachEventKind
from pavilion_contracts.outreach import commands as c
from pavilion_contracts.reader import READER
from pavilion_core import workers
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import Handler
from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.kafka import ensure_topics
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, eventually

CTX = CommandContext(Metadata(correlation_id="toronto-forum", actor="staff:li"))
C = TypeVar("C")


def new_id() -> str:
    return str(uuid.uuid4())


async def count(pool: asyncpg.Pool, sql: str = "SELECT count(*) FROM events") -> int:
    return int(await pool.fetchval(sql))


class Stack:
    """Both services' relays and reactors as tasks, until the test ends."""

    def __init__(self, kafka: KafkaSettings, sealer: Sealer) -> None:
        self.kafka, self.stop, self.tasks = kafka, asyncio.Event(), list[asyncio.Task[None]]()
        self.sealer = sealer

    def relay(self, pool: asyncpg.Pool, service: str, topic: str) -> None:
        self.tasks.append(
            asyncio.create_task(
                workers.relay(
                    pool, self.kafka, service=service, topic=topic, batch_size=500, stop=self.stop
                )
            )
        )

    def consume(self, pool: asyncpg.Pool, group: str, topics: list[str], handler: Handler) -> None:
        self.tasks.append(
            asyncio.create_task(
                workers.consume(
                    pool,
                    self.kafka,
                    service="test",
                    group_id=group,
                    topics=topics,
                    handler=handler,
                    reader=READER,
                    sealer=self.sealer,
                    stop=self.stop,
                )
            )
        )

    async def close(self) -> None:
        self.stop.set()
        await asyncio.gather(*self.tasks)


@pytest.fixture
async def stack(kafka: KafkaSettings, sealer: Sealer) -> AsyncIterator[Stack]:
    running = Stack(kafka, sealer)
    yield running
    await running.close()


@pytest.mark.usefixtures("editions_seeded")
async def test_from_forum_to_application_and_back(
    outreach_pool: asyncpg.Pool,
    store_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    stack: Stack,
):
    run = uuid.uuid4().hex[:8]
    outreach_topic, exhibitors_topic = f"pavtest.{run}.outreach", f"pavtest.{run}.exhibitors"
    await ensure_topics(kafka, [outreach_topic, exhibitors_topic])
    clock = FixedClock(STORY_TIME)
    h = Handlers(EventStore(outreach_pool, stack.sealer), clock)

    def start_reactors(suffix: str) -> None:
        stack.consume(
            store_pool,
            f"exhibitors-{run}-{suffix}",
            [outreach_topic],
            ExhibitorReactions(clock, stack.sealer),
        )
        stack.consume(
            outreach_pool,
            f"outreach-{run}-{suffix}",
            [exhibitors_topic, outreach_topic],
            OutreachReactions(clock, stack.sealer),
        )

    stack.relay(outreach_pool, "outreach", outreach_topic)
    stack.relay(store_pool, "exhibitors", exhibitors_topic)
    start_reactors("live")

    # the trip and its forum
    leader = await contact(h, "president@ccpit.example")
    delegation = await created(
        h.form_delegation,
        c.FormDelegation(
            name="CCPIT North America",
            organizer="CCPIT",
            leader_id=leader,
            purpose="recruit exhibitors for CISCE 2026",
        ),
    )
    stops = [
        ("Toronto", "CA", date(2025, 11, 30), date(2025, 12, 2)),
        ("Washington", "US", date(2025, 12, 4), date(2025, 12, 4)),
        ("Oakland", "US", date(2025, 12, 5), date(2025, 12, 5)),
    ]
    trip = await created(
        h.plan_trip,
        c.PlanTrip(
            delegation_id=delegation,
            name="Canada, Washington, Oakland",
            stops=[
                c.StopIn(city=city, country=country, starts_on=starts, ends_on=ends)
                for city, country, starts, ends in stops
            ],
        ),
    )
    starts = STORY_TIME.replace(day=30, month=11, hour=19)
    forum = await created(
        h.schedule_event,
        c.ScheduleOutreachEvent(
            trip_id=trip,
            stop_index=0,
            name="Canada-China Trade and Investment Cooperation Forum",
            kind=OutreachEventKind.FORUM,
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            venue="Toronto",
            capacity=200,
        ),
    )

    # 150 contacts from 30 organizations, invited; 110 accept, 90 come
    orgs = [
        await created(
            h.register_organization,
            c.RegisterOrganization(
                name=f"Ontario Company {i}", kind=OrganizationKind.COMPANY, country="CA"
            ),
        )
        for i in range(30)
    ]
    guests = [await contact(h, f"guest{i}@org{i % 30}.example", orgs[i % 30]) for i in range(150)]
    for guest in guests:
        await h.invite_contact(c.InviteContact(event_id=forum, contact_id=guest), CTX)
    for i, guest in enumerate(guests):
        await h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=guest, accept=i < 110), CTX)
    clock.current = starts + timedelta(minutes=30)
    for i, guest in enumerate(guests[:110]):
        came = c.RecordAttendance(event_id=forum, contact_id=guest, attended=i < 90)
        await h.record_attendance(came, CTX)
    await h.hold_event(c.HoldOutreachEvent(event_id=forum), CTX)

    # interests from 12 attendees; one converts
    interests = [
        await created(
            h.capture_interest,
            c.CaptureInterest(
                contact_id=guest,
                kind=InterestKind.EXHIBIT,
                edition="CISCE-2026",
                supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
                product_categories=["batteries"],
                source_event_id=forum,
            ),
        )
        for guest in guests[:12]
    ]
    converted = interests[0]
    await h.change_interest(c.QualifyInterest(interest_id=converted), CTX)
    await h.change_interest(c.ConvertInterest(interest_id=converted), CTX)

    async def application_linked() -> bool:
        return "InterestApplicationLinked" in [e.type for e in await h.store.read_stream(converted)]

    await eventually(application_linked, within=60, what="the application linked to the interest")
    [application] = await store_pool.fetch(
        "SELECT stream_id, data FROM events WHERE type = 'ApplicationSubmitted'"
    )
    assert json.loads(application["data"])["sourceInterestId"] == converted
    interest_events = await h.store.read_stream(converted)
    assert interest_events[-1].data["applicationId"] == application["stream_id"]
    assert [e.type for e in interest_events].count("InterestConverted") == 1

    # replaying both topics from the start, twice, changes nothing
    totals = (await count(outreach_pool), await count(store_pool))
    for replay in ("replay-1", "replay-2"):
        start_reactors(replay)
        for pool in (store_pool, outreach_pool):
            await eventually(
                lambda p=pool, r=replay: _caught_up(p, r, kafka),
                within=60,
                what=f"{replay} caught up",
            )
    assert (await count(outreach_pool), await count(store_pool)) == totals


async def _caught_up(pool: asyncpg.Pool, suffix: str, kafka: KafkaSettings) -> bool:
    """The replay group has stored offsets up to each partition's end."""
    done, live = await _offsets(pool, f"%-{suffix}"), await _offsets(pool, "%-live")
    return bool(live) and all(done.get(k, -1) >= v for k, v in live.items())


async def _offsets(pool: asyncpg.Pool, groups: str) -> dict[tuple[str, int], int]:
    rows = await pool.fetch(
        "SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id LIKE $1", groups
    )
    return {(r["topic"], r["partition"]): r["next_offset"] for r in rows}


async def contact(h: Handlers, email: str, organization: str | None = None) -> str:
    return await created(
        h.register_contact,
        c.RegisterContact(
            name=email.split("@")[0], email=email, country="CA", organization_id=organization
        ),
    )


async def created(handler: Callable[[C, CommandContext], Awaitable[AppendResult]], cmd: C) -> str:
    """The id of the record `cmd` creates."""
    return (await handler(cmd, CTX)).stream_id


async def test_an_overdue_follow_up_is_announced_once_however_often_and_by_however_many(
    outreach_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    stack: Stack,
):
    run = uuid.uuid4().hex[:8]
    topic = f"pavtest.{run}.outreach"
    await ensure_topics(kafka, [topic])
    clock = FixedClock(STORY_TIME)
    h = Handlers(EventStore(outreach_pool, stack.sealer), clock)
    stack.relay(outreach_pool, "outreach", topic)
    stack.consume(outreach_pool, f"schedule-{run}", [topic], OutreachReactions(clock, stack.sealer))

    tasks = [
        await created(
            h.schedule_follow_up,
            c.ScheduleFollowUp(
                subject_id=new_id(), owner="li@ccpit", due_at=STORY_TIME + timedelta(hours=1 + i)
            ),
        )
        for i in range(8)
    ]
    await eventually(lambda: _scheduled(outreach_pool, 8), what="schedule projected")
    await h.change_follow_up(c.CompleteFollowUp(follow_up_id=tasks[0], outcome="done early"), CTX)
    clock.current = STORY_TIME + timedelta(hours=7, minutes=30)  # 7 due, one of them done

    two_instances = await asyncio.gather(*(announce_overdue(outreach_pool, h) for _ in range(2)))
    again = await announce_overdue(outreach_pool, h)

    assert sum(two_instances) + again == 6
    assert (
        await count(
            outreach_pool, "SELECT count(*) FROM events WHERE type = 'FollowUpBecameOverdue'"
        )
        == 6
    )


async def _scheduled(pool: asyncpg.Pool, n: int) -> bool:
    return await count(pool, "SELECT count(*) FROM follow_up_schedule") >= n
