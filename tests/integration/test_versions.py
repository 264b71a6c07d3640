"""Event versions against the real Kafka and PostgreSQL: a topic on which an old
producer left ApplicationSubmitted.v1 and the current code writes v2 replays through the
gateway's projector into the read model an all-v2 history gives; one of a version newer
than the reader knows is parked, never misread; and the exhibitors aggregate loads a
stream (in the PostgreSQL store) that mixes v1 and v2."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from exhibitors.domain.application import ExhibitorApplication
from exhibitors.handlers import Handlers
from fastapi import FastAPI
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.projector import project
from gateway.schema import schema
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import Metadata, NewEvent, RecordedEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher, ensure_topics
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore
from pavilion_core.testing import FixedClock

from tests.integration.gateway_support import gateway
from tests.integration.test_consumer import consumed, loop
from tests.support import eventually, submitted_data
from tests.unit.exhibitors.support import BEFORE_OPENING, EDITION, Expo, ctx

AT = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
NOTHING_BUT = {"streetLines": [], "city": None, "postalCode": None, "region": None}
ADDRESS = c.AddressIn(street_lines=["100 King St W"], city="Toronto", postal_code="M5X 1A9",
                      region="Ontario", country="CA")  # fmt: skip


def _event(
    stream: str, version: int, kind: str, schema: int, data: dict[str, Any]
) -> RecordedEvent:
    meta = {"correlation_id": "versions", "causation_id": None, "actor": "staff:old"}
    return RecordedEvent(uuid.uuid4(), stream, version, 1, kind, schema, data, meta, AT)


def _old_producer(company: str) -> list[RecordedEvent]:
    """An application as the producer of v1 recorded it: submitted, then reviewed."""
    app = str(uuid.uuid4())
    contact = {"name": f"{company} Lead", "email": f"lead@{app[:8]}.example", "phone": None}
    data = submitted_data(app, company, "DE", [contact], "SMART_VEHICLES")
    return [
        _event(app, 1, "ApplicationSubmitted", 1, data),
        _event(app, 2, "ReviewStarted", 1, {"applicationId": app}),
    ]


def _as_v2(event: RecordedEvent) -> RecordedEvent:
    """The same event as a v2 producer would have recorded it (written out by hand,
    not by the upcaster under test)."""
    if event.schema_version == 2 or event.type != "ApplicationSubmitted":
        return event
    d = event.data
    contacts = [{**x, "language": None} for x in d["contacts"]]
    data = {**d, "address": {**NOTHING_BUT, "country": d["country"]}, "contacts": contacts}
    return RecordedEvent(**{**vars(event), "schema_version": 2, "data": data})


async def _current_producer() -> list[RecordedEvent]:
    """Applications as the exhibitors code records them today (v2)."""
    expo = Expo()
    for company, language in (("Maple Robotics", "fr-CA"), ("Lotus Energy", None)):
        contact = c.ApplicantContactIn(
            name=f"{company} Lead", email=f"lead@{company[:5].lower()}.example", language=language
        )
        submit = c.SubmitApplication(edition=EDITION, company_name=company, country="CA",
                                     supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
                                     contacts=[contact], address=ADDRESS)  # fmt: skip
        done = await expo.h.submit_application(submit, ctx())
        await expo.h.start_review(c.StartReview(application_id=done.stream_id), ctx())
    return [e for e in expo.store.all_events() if e.type != "EditionCreated"]  # the seed


async def _project(
    pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    events: list[RecordedEvent],
    sealer: Sealer,
    extra: int = 0,
) -> None:
    """Publish `events` on `topic` and run the gateway's projector over them as it runs
    live (the consumer loop, batched) until all (and `extra` others) are consumed."""
    for event in events:
        await publisher.publish(topic, [to_kafka(event, "exhibitors")])
    group, stop = f"versions-{uuid.uuid4().hex[:8]}", asyncio.Event()
    consumer = loop(pool, kafka, topic, publisher, group, sealer, batch_handler=project.batch)
    running = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: consumed(pool, group, len(events) + extra), what="consumed")
    finally:
        stop.set()
        await running


async def _read_model(pool: asyncpg.Pool) -> tuple[list[Any], list[Any]]:
    rows = await pool.fetch("SELECT to_jsonb(e) AS row FROM exhibitors e ORDER BY id")
    timeline = await pool.fetch(
        """SELECT event_id, subject_id, type, stream_version, actor, data FROM timeline
           ORDER BY event_id"""
    )
    return [json.loads(r["row"]) for r in rows], [dict(r) for r in timeline]


async def test_v1_and_v2_submissions_on_one_topic_project_as_an_all_v2_history(
    read_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
) -> None:
    old = [e for company in ("Alpha GmbH", "Beta AG") for e in _old_producer(company)]
    mixed = old + await _current_producer()
    app = str(uuid.uuid4())
    too_new = _event(app, 1, "ApplicationSubmitted", 3, {"applicationId": app, "future": 1})

    await _project(read_pool, kafka, publisher, topic, [*mixed, too_new], sealer)
    from_mixed = await _read_model(read_pool)
    assert len(from_mixed[0]) == 4 and len(from_mixed[1]) == 8
    parked = await read_pool.fetch(
        "SELECT record_key, error_type, error_message FROM parked_messages"
    )
    assert [(bytes(p["record_key"]).decode(), p["error_type"]) for p in parked] == [
        (app, "UnreadableVersion")]  # fmt: skip

    await read_pool.execute("DELETE FROM exhibitors; DELETE FROM timeline")
    all_v2 = f"{topic}.all-v2"
    await ensure_topics(kafka, [all_v2])
    await _project(read_pool, kafka, publisher, all_v2, [_as_v2(e) for e in mixed], sealer)
    assert await _read_model(read_pool) == from_mixed

    assert {r["status"] for r in from_mixed[0]} == {"UNDER_REVIEW"}
    staff = await _exhibitors(read_pool, Role.ORGANIZER)
    alpha_lead = old[0].data["contacts"][0]["email"]
    assert staff["Alpha GmbH"] == {
        "country": "DE", "address": {**NOTHING_BUT, "country": "DE"},
        "contacts": [{"email": alpha_lead, "language": None}]}  # fmt: skip
    assert staff["Maple Robotics"]["address"] == {
        "streetLines": ["100 King St W"], "city": "Toronto", "postalCode": "M5X 1A9",
        "region": "Ontario", "country": "CA"}  # fmt: skip
    assert staff["Maple Robotics"]["contacts"][0]["language"] == "fr-CA"
    viewer = (await _exhibitors(read_pool, Role.VIEWER))["Maple Robotics"]
    assert viewer["address"] == {
        "streetLines": None, "city": "Toronto", "postalCode": None, "region": "Ontario",
        "country": "CA"}  # fmt: skip
    assert viewer["contacts"] == [{"email": None, "language": "fr-CA"}]


EXHIBITORS = """{ exhibitors(edition: "CISCE-2026") { edges { node { companyName country
  address { streetLines city postalCode region country } contacts { email language } } } } }"""


async def _exhibitors(pool: asyncpg.Pool, role: Role) -> dict[str, Any]:
    """The exhibitors as GraphQL shows them to `role`, by company name."""
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    context = Context(services=services, viewer=Viewer("test", role))
    result = await schema.execute(EXHIBITORS, context_value=context)
    assert result.errors is None, result.errors
    nodes = [e["node"] for e in result.data["exhibitors"]["edges"]]  # type: ignore[index]
    return {n.pop("companyName"): n for n in nodes}


@pytest.mark.usefixtures("editions_seeded")
async def test_the_aggregate_loads_streams_of_v1_and_v2_from_the_store(store: EventStore) -> None:
    handlers = Handlers(store, FixedClock(BEFORE_OPENING))
    # submitted before v2 (stored as the old code stored it), reviewed since
    old = _old_producer("Gamma SA")
    before = old[0].stream_id
    meta = Metadata(correlation_id="versions", actor="staff:old")
    recorded = [NewEvent(e.type, e.data, e.schema_version) for e in old]
    await store.append(before, recorded, expected_version=0, metadata=meta)
    # submitted today (v2), reviewed
    contact = c.ApplicantContactIn(name="Jane Roy", email="jane@maple.example", language="fr-CA")
    submit = c.SubmitApplication(edition=EDITION, company_name="Maple Robotics", country="CA",
                                 supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
                                 contacts=[contact], address=ADDRESS)  # fmt: skip
    today = (await handlers.submit_application(submit, ctx())).stream_id
    await handlers.start_review(c.StartReview(application_id=today), ctx())

    for stream, versions in ((before, [1, 1]), (today, [2, 1])):
        assert [e.schema_version for e in await store.read_stream(stream)] == versions
        # the next command loads the aggregate from the store, deciding on the latest shape
        done = await handlers.approve_application(
            c.ApproveApplication(application_id=stream), ctx()
        )
        assert done.version == 3
    old_app = ExhibitorApplication(before).replay(await store.read_stream(before))
    new_app = ExhibitorApplication(today).replay(await store.read_stream(today))
    assert (old_app.status, new_app.status) == ("APPROVED", "APPROVED")
    assert [x.language for x in old_app.contacts.values()] == [None]
    assert [x.language for x in new_app.contacts.values()] == ["fr-CA"]


SUBMIT = """mutation($input: SubmitExhibitorApplicationInput!) {
  submitExhibitorApplication(input: $input) { version userErrors { code field } } }"""


async def test_submit_exhibitor_application_sends_the_address_and_languages(
    exhibitors_app: FastAPI, store_pool: asyncpg.Pool, sealer: Sealer
) -> None:
    contact = {"name": "Jane Roy", "email": "jane@maple.example", "language": "fr-CA"}
    address = {"streetLines": ["100 King St W"], "city": "Toronto", "country": "CA"}
    submission = {"edition": EDITION, "companyName": "Maple Robotics", "country": "CA",
                  "supplyChainAreas": ["CLEAN_ENERGY"], "contacts": [contact],
                  "address": address, "wait": False}  # fmt: skip
    async with gateway({"exhibitors": httpx.ASGITransport(app=exhibitors_app)}) as ctx:
        sent = await schema.execute(SUBMIT, {"input": submission}, context_value=ctx)
        assert sent.data == {"submitExhibitorApplication": {"version": 1, "userErrors": []}}
        bad = {**submission, "contacts": [{**contact, "language": "French"}]}
        refused = await schema.execute(SUBMIT, {"input": bad}, context_value=ctx)
    [error] = refused.data["submitExhibitorApplication"]["userErrors"]  # type: ignore[index]
    assert error["code"] == "VALIDATION" and error["field"][0] == "contacts"

    stream = await store_pool.fetchval(
        "SELECT stream_id FROM events WHERE type = 'ApplicationSubmitted'"
    )
    (stored,) = await EventStore(store_pool, sealer).read_stream(stream)
    data = stored.data
    assert data["address"] == {**address, "postalCode": None, "region": None}
    assert data["contacts"] == [{**contact, "phone": None}]
