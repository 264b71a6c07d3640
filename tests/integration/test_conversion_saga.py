"""The conversion saga between outreach and exhibitors on real PostgreSQL: each side's
reactions are handed the other side's stored events as the consumer loop hands them
(one transaction per message), redelivered, raced by two instances and replayed after
the idempotency keys are gone. One application per converted interest; a refusal sends
the interest back to QUALIFIED with the reason, as an event and in GraphQL; a
conversion that no application answers is listed for operators."""

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from exhibitors.consumers import Reactions as ExhibitorReactions
from exhibitors.handlers import Handlers as ExhibitorHandlers
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.projector import Projector
from gateway.relay import global_id
from gateway.schema import schema
from outreach.consumers import Reactions as OutreachReactions
from outreach.handlers import Handlers
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors.commands import ApplicantContactIn, SubmitApplication
from pavilion_contracts.outreach import InterestKind, OrganizationKind
from pavilion_contracts.outreach import commands as c
from pavilion_core.consumer import Handler
from pavilion_core.envelope import CloudEvent, Metadata, to_kafka
from pavilion_core.eventstore import CommandContext
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore, recorded_event
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, assert_stored_events_valid, cloud_event

CTX = CommandContext(Metadata(correlation_id="oakland-breakfast", actor="staff:li"))
OPENED = datetime(2026, 6, 23, tzinfo=UTC)  # CISCE-2026 has opened: only withdrawals


class Saga:
    """Both services' stores, handlers and reactions; the messages between them are
    each store's events of a type, delivered to the other side's reactions."""

    def __init__(
        self,
        outreach: asyncpg.Pool,
        exhibitors: asyncpg.Pool,
        exhibitors_time: datetime,
        sealer: Sealer,
    ) -> None:
        self.outreach_pool, self.exhibitors_pool, self.sealer = outreach, exhibitors, sealer
        self.outreach = Handlers(EventStore(outreach, sealer), FixedClock(STORY_TIME))
        clock = FixedClock(exhibitors_time)
        self.exhibitors = ExhibitorHandlers(EventStore(exhibitors, sealer), clock)
        self.exhibitors_react = ExhibitorReactions(clock, sealer)
        self.outreach_react = OutreachReactions(FixedClock(STORY_TIME), sealer)

    async def interest(self, organization: str | None = None) -> str:
        """A qualified EXHIBIT interest of a (new) organization's contact."""
        organization = organization or await self.organization()
        maya = c.RegisterContact(
            name="Maya Chen",
            email=f"{uuid.uuid4()}@oakland.example",
            country="US",
            organization_id=organization,
        )
        contact = (await self.outreach.register_contact(maya, CTX)).stream_id
        captured = await self.outreach.capture_interest(
            c.CaptureInterest(
                contact_id=contact,
                kind=InterestKind.EXHIBIT,
                edition="CISCE-2026",
                supply_chain_areas=[SupplyChainArea.DIGITAL_TECHNOLOGY],
                product_categories=["vision systems"],
            ),
            CTX,
        )
        interest = captured.stream_id
        await self.outreach.change_interest(c.QualifyInterest(interest_id=interest), CTX)
        return interest

    async def organization(self) -> str:
        oakland = c.RegisterOrganization(
            name="Oakland AI", kind=OrganizationKind.COMPANY, country="US"
        )
        return (await self.outreach.register_organization(oakland, CTX)).stream_id

    async def to_exhibitors(self, event_type: str, *, twice_at_once: bool = False) -> None:
        events = await stored(self.outreach_pool, "outreach", event_type, self.sealer)
        await deliver(self.exhibitors_pool, self.exhibitors_react, events, twice_at_once)

    async def to_outreach(self, event_type: str) -> None:
        events = await stored(self.exhibitors_pool, "exhibitors", event_type, self.sealer)
        await deliver(self.outreach_pool, self.outreach_react, events)

    async def types(self, pool: asyncpg.Pool, stream: str | None = None) -> list[str]:
        rows = await pool.fetch(
            "SELECT type FROM events WHERE $1::text IS NULL OR stream_id = $1 ORDER BY position",
            stream,
        )
        return [r["type"] for r in rows]


async def stored(
    pool: asyncpg.Pool, service: str, event_type: str, sealer: Sealer
) -> list[CloudEvent]:
    """The events of a type in a service's store, as a consumer of its topic reads them."""
    rows = await pool.fetch("SELECT * FROM events WHERE type = $1 ORDER BY position", event_type)
    return await _decoded(rows, service, sealer)


async def _decoded(rows: list[asyncpg.Record], service: str, sealer: Sealer) -> list[CloudEvent]:
    return [await sealer.decode(*_record(recorded_event(row), service)) for row in rows]


def _record(event: Any, service: str) -> tuple[bytes | None, Any]:
    record = to_kafka(event, service)
    return record.value, record.headers


async def deliver(
    pool: asyncpg.Pool, react: Handler, events: list[CloudEvent], twice_at_once: bool = False
) -> None:
    """As the consumer loop does: each message in its own transaction; `twice_at_once`
    hands each to two instances at the same moment."""

    async def one(event: CloudEvent) -> None:
        async with pool.acquire() as conn, conn.transaction():
            await react(conn, event)

    for event in events:
        await asyncio.gather(*(one(event) for _ in range(2 if twice_at_once else 1)))


async def forget_idempotency_keys(pool: asyncpg.Pool) -> None:
    """What a replay sees once the keys have expired."""
    await pool.execute("DELETE FROM idempotency_keys")


@pytest.mark.usefixtures("editions_seeded")
async def test_a_conversion_that_names_its_application_starts_no_second_one(
    outreach_pool: asyncpg.Pool, store_pool: asyncpg.Pool, sealer: Sealer
):
    saga = Saga(outreach_pool, store_pool, STORY_TIME, sealer)
    interest = await saga.interest()
    # the company applies on the public form, by name, naming the interest
    applied = await saga.exhibitors.submit_application(
        SubmitApplication(
            edition="CISCE-2026",
            company_name="Oakland AI",
            country="US",
            supply_chain_areas=[SupplyChainArea.DIGITAL_TECHNOLOGY],
            contacts=[ApplicantContactIn(name="Maya Chen", email="maya@oakland.example")],
            source_interest_id=uuid.UUID(interest),
        ),
        CTX,
    )
    await saga.to_outreach("ApplicationSubmitted")  # converts the interest, naming it

    for _ in range(2):  # redelivered, raced by two instances, replayed
        await saga.to_exhibitors("InterestConverted", twice_at_once=True)
        await forget_idempotency_keys(store_pool)
    await saga.to_outreach("ApplicationSubmitted")

    assert (await saga.types(store_pool)).count("ApplicationSubmitted") == 1
    assert await saga.types(outreach_pool, interest) == [
        "InterestCaptured",
        "InterestQualified",
        "InterestConverted",
    ]
    [conversion] = await stored(outreach_pool, "outreach", "InterestConverted", sealer)
    assert conversion.data["applicationId"] == applied.stream_id


@pytest.mark.usefixtures("editions_seeded")
async def test_a_staff_conversion_starts_one_application_however_often_it_arrives(
    outreach_pool: asyncpg.Pool, store_pool: asyncpg.Pool, sealer: Sealer
):
    saga = Saga(outreach_pool, store_pool, STORY_TIME, sealer)
    interest = await saga.interest()
    await saga.outreach.change_interest(c.ConvertInterest(interest_id=interest), CTX)

    for _ in range(2):
        await saga.to_exhibitors("InterestConverted", twice_at_once=True)
        await forget_idempotency_keys(store_pool)
        await saga.to_outreach("ApplicationSubmitted")

    [application] = await stored(store_pool, "exhibitors", "ApplicationSubmitted", sealer)
    assert application.data["sourceInterestId"] == interest
    assert (await saga.types(outreach_pool, interest))[-2:] == [
        "InterestConverted",
        "InterestApplicationLinked",
    ]


@pytest.mark.usefixtures("editions_seeded")
async def test_a_refused_conversion_sends_the_interest_back_to_qualified_with_the_reason(
    outreach_pool: asyncpg.Pool, store_pool: asyncpg.Pool, read_pool: asyncpg.Pool, sealer: Sealer
):
    saga = Saga(outreach_pool, store_pool, OPENED, sealer)
    interest = await saga.interest()
    await saga.outreach.change_interest(c.ConvertInterest(interest_id=interest), CTX)

    for _ in range(2):  # redelivered, raced, replayed: refused once
        await saga.to_exhibitors("InterestConverted", twice_at_once=True)
        await forget_idempotency_keys(store_pool)
    [refusal] = await stored(store_pool, "exhibitors", "ConversionRefused", sealer)
    assert refusal.data["interestId"] == interest
    assert refusal.data["code"] == "INVALID_TRANSITION"
    assert "CISCE-2026 has opened" in refusal.data["reason"]
    assert "ApplicationSubmitted" not in await saga.types(store_pool)

    await saga.to_outreach("ConversionRefused")
    await saga.to_outreach("ConversionRefused")  # a redelivery changes nothing
    assert (await saga.types(outreach_pool, interest))[-2:] == [
        "InterestConverted",
        "InterestConversionRefused",
    ]
    [back] = await stored(outreach_pool, "outreach", "InterestConversionRefused", sealer)
    assert (back.data["code"], back.data["reason"]) == (
        "INVALID_TRANSITION",
        refusal.data["reason"],
    )

    await project(read_pool, await everything(outreach_pool, "outreach", sealer))
    [node] = await interests(read_pool, Role.ORGANIZER, {"stage": ["QUALIFIED"]})
    assert node["stage"] == "QUALIFIED"
    assert node["conversionRefusal"] == {
        "code": "INVALID_TRANSITION",
        "reason": refusal.data["reason"],
    }
    [seen_by_viewer] = await interests(read_pool, Role.VIEWER, {"stage": ["QUALIFIED"]})
    assert seen_by_viewer["conversionRefusal"] == {"code": "INVALID_TRANSITION", "reason": None}
    assert {"ConversionRefused", "InterestConversionRefused"} <= (
        await assert_stored_events_valid(store_pool, "exhibitors")
        | await assert_stored_events_valid(outreach_pool, "outreach")
    )


@pytest.mark.usefixtures("editions_seeded")
async def test_a_second_conversion_after_a_refusal_is_not_undone_by_the_first(
    outreach_pool: asyncpg.Pool, store_pool: asyncpg.Pool, sealer: Sealer
):
    closed = Saga(outreach_pool, store_pool, OPENED, sealer)
    interest = await closed.interest()
    await closed.outreach.change_interest(c.ConvertInterest(interest_id=interest), CTX)
    await closed.to_exhibitors("InterestConverted")
    await closed.to_outreach("ConversionRefused")

    open_again = Saga(outreach_pool, store_pool, STORY_TIME, sealer)  # e.g. the edition moved
    await open_again.outreach.change_interest(c.ConvertInterest(interest_id=interest), CTX)
    await open_again.to_outreach("ConversionRefused")  # the first refusal, late
    await forget_idempotency_keys(store_pool)
    await open_again.to_exhibitors("InterestConverted")  # both conversions, replayed
    await open_again.to_outreach("ApplicationSubmitted")

    assert (await open_again.types(store_pool)).count("ApplicationSubmitted") == 1
    assert (await open_again.types(outreach_pool, interest))[-4:] == [
        "InterestConverted",
        "InterestConversionRefused",
        "InterestConverted",
        "InterestApplicationLinked",
    ]


@pytest.mark.usefixtures("editions_seeded")
async def test_a_conversion_of_an_organization_that_already_applied_is_refused(
    outreach_pool: asyncpg.Pool, store_pool: asyncpg.Pool, sealer: Sealer
):
    saga = Saga(outreach_pool, store_pool, STORY_TIME, sealer)
    organization = await saga.organization()
    first, second = await saga.interest(organization), await saga.interest(organization)
    for interest in (first, second):
        await saga.outreach.change_interest(c.ConvertInterest(interest_id=interest), CTX)
    await saga.to_exhibitors("InterestConverted")
    await saga.to_outreach("ApplicationSubmitted")
    await saga.to_outreach("ConversionRefused")

    [application] = await stored(store_pool, "exhibitors", "ApplicationSubmitted", sealer)
    [refusal] = await stored(store_pool, "exhibitors", "ConversionRefused", sealer)
    assert application.data["sourceInterestId"] == first
    assert (refusal.data["interestId"], refusal.data["code"]) == (second, "DUPLICATE")
    assert (await saga.types(outreach_pool, second))[-1] == "InterestConversionRefused"


@pytest.mark.usefixtures("editions_seeded")
async def test_a_conversion_no_application_answers_is_listed_for_operators(
    read_pool: asyncpg.Pool,
):
    at = datetime(2025, 12, 1, 9, tzinfo=UTC)
    stuck, answered, recent = (str(uuid.uuid4()) for _ in range(3))
    events = []
    for interest, minutes, application in (
        (stuck, 0, None),
        (answered, 0, str(uuid.uuid4())),
        (recent, 50, None),
    ):
        events += [
            _event(interest, 1, at, "InterestCaptured", **_captured(interest)),
            _event(
                interest,
                2,
                at + timedelta(minutes=minutes),
                "InterestConverted",
                **_converted(interest, application),
            ),
        ]
    await project(read_pool, events)

    before = (at + timedelta(minutes=45)).isoformat()
    for role in (Role.ORGANIZER, Role.ADMIN):
        listed = await interests(read_pool, role, {"awaitingApplicationBefore": before})
        assert [(n["id"], n["convertedAt"]) for n in listed] == [(_global(stuck), at.isoformat())]


# -- the read model and GraphQL ------------------------------------------------------

QUERY = """query($f: InterestFilter) { interests(filter: $f) { edges { node {
  id stage convertedAt conversionRefusal { code reason } } } } }"""


async def project(pool: asyncpg.Pool, events: list[CloudEvent]) -> None:
    projector = Projector(announce=False)
    async with pool.acquire() as conn, conn.transaction():
        for event in events:
            await projector(conn, event)


async def everything(pool: asyncpg.Pool, service: str, sealer: Sealer) -> list[CloudEvent]:
    rows = await pool.fetch("SELECT * FROM events ORDER BY position")
    return await _decoded(rows, service, sealer)


async def interests(pool: asyncpg.Pool, role: Role, f: dict[str, Any]) -> list[dict[str, Any]]:
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    context = Context(services=services, viewer=Viewer("test", role))
    result = await schema.execute(QUERY, variable_values={"f": f}, context_value=context)
    assert result.errors is None, result.errors
    return [e["node"] for e in result.data["interests"]["edges"]]  # type: ignore[index]


def _global(interest: str) -> str:
    return str(global_id("Interest", interest))


def _event(subject: str, version: int, at: datetime, event_type: str, **data: Any) -> CloudEvent:
    return replace(
        cloud_event("outreach", event_type, subject, **data), stream_version=version, time=at
    )


def _captured(interest: str) -> dict[str, Any]:
    return {"interestId": interest, "contactId": str(uuid.uuid4()),
            "organizationId": str(uuid.uuid4()), "sourceEventId": None, "kind": "EXHIBIT",
            "edition": "CISCE-2026", "supplyChainAreas": ["DIGITAL_TECHNOLOGY"],
            "productCategories": []}  # fmt: skip


def _converted(interest: str, application: str | None) -> dict[str, Any]:
    contact = {"contactId": str(uuid.uuid4()), "name": "Maya Chen",
               "email": "maya@oakland.example", "phone": None}  # fmt: skip
    return {"interestId": interest, "kind": "EXHIBIT", "edition": "CISCE-2026",
            "organizationId": str(uuid.uuid4()), "organizationName": "Oakland AI",
            "country": "US", "supplyChainAreas": ["DIGITAL_TECHNOLOGY"],
            "productCategories": [], "contact": contact, "sourceEventId": None,
            "applicationId": application}  # fmt: skip
