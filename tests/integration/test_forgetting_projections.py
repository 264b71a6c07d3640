"""ContactForgotten in the read model: every copy of the person's personal data
erased (their row, consents' evidence, follow-up notes, notifications to their
address, the timeline about or naming them, their address's registry entries), another
person's left alone; idempotent; and a rebuild from events whose personal values read
as null (their key destroyed) shows them forgotten."""

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.projector import Projector
from gateway.relay import global_id
from gateway.schema import schema
from pavilion_core.envelope import CloudEvent

from tests.support import cloud_event, registered, scheduled, submitted_data

MARKERS = ("Zorblat Quux", "zorblat@quux.example", "+15550199123", "Chief Zorblat",
           "zorblat-evidence", "zorblat-note", "zorblat-followup", "zorblat-refused",
           "zorblat-lost", "zorblat-failed")  # fmt: skip
OTHER, ADA = "Ada Keep", "ada@keep.example"


def _at(n: int, event: CloudEvent, version: int) -> CloudEvent:
    at = datetime(2025, 12, 1, 9, tzinfo=UTC) + timedelta(minutes=n)
    return dataclasses.replace(event, stream_version=version, time=at)


def story(jane: str, ada: str, nulled: bool = False) -> list[CloudEvent]:
    """Jane's life in the read model; with `nulled`, her personal values read as null,
    as they do once her key is destroyed."""
    name, email, phone, title, evidence, note, follow, refused, lost, failed = (
        (None,) * len(MARKERS) if nulled else MARKERS
    )
    forum, interest, task, notice = (str(uuid.uuid4()) for _ in range(4))
    starts = datetime(2025, 12, 2, 14, tzinfo=UTC)
    invitee = {"contactVersion": 1, "email": email, "name": name, "language": "en",
               "emailMarketing": None}  # fmt: skip
    events = [
        ("outreach", "ContactRegistered", jane, 1,
         {**registered(jane, name, email, "CA", "en"), "phone": phone, "title": title}),  # type: ignore[arg-type]
        ("outreach", "ContactRegistered", ada, 1, registered(ada, OTHER, ADA, "CA", "en")),
        ("outreach", "ContactEmailClaimed", f"contact-email:{MARKERS[1]}", 1,
         {"email": email, "contactId": jane}),
        ("outreach", "ConsentGranted", jane, 2,
         {"contactId": jane, "channel": "EMAIL", "purpose": "MARKETING", "legalBasis": "EXPRESS",
          "evidence": evidence, "grantedAt": "2025-12-01T09:00:00+00:00", "expiresAt": None}),
        ("outreach", "NoteAdded", jane, 3, {"noteId": str(uuid.uuid4()), "subjectId": jane,
                                            "text": note}),
        ("outreach", "OutreachEventScheduled", forum, 1,
         scheduled(forum, "Forum", "Toronto", "CA", starts, starts + timedelta(hours=2))),
        ("outreach", "ContactInvited", forum, 2, {"eventId": forum, "contactId": jane,
                                                  "invitee": invitee}),
        ("outreach", "ContactInvited", forum, 3,
         {"eventId": forum, "contactId": ada, "invitee": {**invitee, "name": OTHER, "email": ADA}}),
        ("outreach", "InterestCaptured", interest, 1,
         {"interestId": interest, "contactId": jane, "organizationId": None,
          "sourceEventId": forum, "kind": "VISIT", "edition": "CISCE-2026",
          "supplyChainAreas": [], "productCategories": []}),
        ("outreach", "FollowUpScheduled", task, 1,
         {"followUpId": task, "subjectId": interest, "owner": "li@ccpit",
          "dueAt": "2025-12-03T09:00:00+00:00", "note": follow, "contactId": jane}),
        ("outreach", "InterestConversionRefused", interest, 2,
         {"interestId": interest, "code": "CLOSED", "reason": refused, "contactId": jane}),
        ("outreach", "InterestLost", interest, 3,
         {"interestId": interest, "reason": lost, "contactId": jane}),
        ("notifications", "NotificationRequested", notice, 1,
         {"notificationId": notice, "rule": "invitation", "template": "invitation",
          "channel": "EMAIL", "purpose": "MARKETING", "recipient": email, "relatedId": forum,
          "triggerEventId": str(uuid.uuid4())}),
        ("notifications", "NotificationFailed", notice, 2,
         {"notificationId": notice, "recipient": email, "error": failed}),
        ("outreach", "ContactForgotten", jane, 4, {"contactId": jane}),
        # on the address's stream, published with it but projected after it
        ("outreach", "ContactEmailReleased", f"contact-email:{MARKERS[1]}", 2,
         {"email": email, "contactId": jane}),
    ]  # fmt: skip
    return [
        _at(n, cloud_event(service, kind, subject, **data), version)
        for n, (service, kind, subject, version, data) in enumerate(events)
    ]


async def _dump(pool: asyncpg.Pool) -> str:
    """Every row of every table of the read model's current generation, as text."""
    tables = await pool.fetch(
        """SELECT table_name FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"""
    )
    rows = [await pool.fetch(f"SELECT t::text AS row FROM {t['table_name']} t") for t in tables]
    return "\n".join(r["row"] for table in rows for r in table)


async def _contact(pool: asyncpg.Pool, contact: str) -> dict[str, Any]:
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    result = await schema.execute(
        """query($id: ID!) { node(id: $id) { ... on Contact { name email phone title forgotten
                                                             consents { channel } } }
                             personalData(contactId: $id) }""",
        variable_values={"id": global_id("Contact", contact)},
        context_value=Context(services=services, viewer=Viewer("dpo", Role.ADMIN)),
    )
    assert result.errors is None, result.errors
    return result.data  # type: ignore[return-value]


async def _project(pool: asyncpg.Pool, events: list[CloudEvent]) -> None:
    project = Projector(announce=False)
    async with pool.acquire() as conn, conn.transaction():
        for event in events:
            await project(conn, event)


async def test_forgetting_erases_every_copy_and_leaves_others_alone(read_pool: asyncpg.Pool):
    jane, ada = str(uuid.uuid4()), str(uuid.uuid4())
    events = story(jane, ada)
    await _project(read_pool, events[:-2])
    before = await _dump(read_pool)
    assert all(marker in before for marker in MARKERS)
    exported = (await _contact(read_pool, jane))["personalData"]
    assert all(marker in json.dumps(exported) for marker in MARKERS)

    await _project(read_pool, events[-2:] + events[-2:])  # and redelivered
    after = await _dump(read_pool)
    assert [marker for marker in MARKERS if marker in after] == []
    assert OTHER in after and ADA in after
    shown = await _contact(read_pool, jane)
    assert shown["node"] == {"name": None, "email": None, "phone": None, "title": None,
                             "forgotten": True, "consents": [{"channel": "EMAIL"}]}  # fmt: skip
    assert [e["type"] for e in shown["personalData"]["timeline"]][-1] == "ContactForgotten"


async def test_a_rebuild_from_nulled_personal_values_shows_the_contact_forgotten(
    read_pool: asyncpg.Pool,
):
    jane, ada = str(uuid.uuid4()), str(uuid.uuid4())
    await _project(read_pool, story(jane, ada, nulled=True))
    assert (await _contact(read_pool, jane))["node"]["forgotten"] is True
    assert [marker for marker in MARKERS if marker in await _dump(read_pool)] == []


def _person(name: str | None, email: str | None) -> dict[str, Any]:
    return {"name": name, "email": email, "phone": None}


def application_story(app: str, nulled: bool = False) -> list[CloudEvent]:
    """Two contact persons at submission (Ada, then Jane), Bo added; Jane is mailed,
    removed, added back, then forgotten (appearances 2 and 4). With `nulled`, her
    personal values read as null."""
    jane = _person(None, None) if nulled else _person(MARKERS[0], MARKERS[1])
    notice = str(uuid.uuid4())
    submitted = submitted_data(app, "Maple", "CA", [_person(OTHER, ADA), jane], "CLEAN_ENERGY")
    events = [
        ("exhibitors", "ApplicationSubmitted", app, 1, submitted),
        ("exhibitors", "ExhibitorContactAdded", app, 2,
         {"applicationId": app, **_person("Bo Stay", "bo@stay.example")}),
        ("notifications", "NotificationRequested", notice, 1,
         {"notificationId": notice, "rule": "application-received", "template": "x",
          "channel": "EMAIL", "purpose": "TRANSACTIONAL", "recipient": jane["email"],
          "relatedId": app, "triggerEventId": str(uuid.uuid4())}),
        ("notifications", "NotificationSent", notice, 2,
         {"notificationId": notice, "recipient": jane["email"], "language": "en"}),
        ("exhibitors", "ExhibitorContactRemoved", app, 3,
         {"applicationId": app, "email": jane["email"]}),
        ("exhibitors", "ExhibitorContactAdded", app, 4, {"applicationId": app, **jane}),
        ("exhibitors", "ExhibitorContactForgotten", app, 5,
         {"applicationId": app, "appearances": [2, 4]}),
    ]  # fmt: skip
    return [
        _at(n, cloud_event(service, kind, subject, **data), version)
        for n, (service, kind, subject, version, data) in enumerate(events)
    ]


async def _contacts(pool: asyncpg.Pool, app: str) -> list[str]:
    contacts = await pool.fetchval("SELECT contacts FROM exhibitors WHERE id = $1", uuid.UUID(app))
    return [c["email"] for c in json.loads(contacts)]


async def test_forgetting_an_exhibitor_contact_erases_them_and_keeps_the_others(
    read_pool: asyncpg.Pool,
):
    app = str(uuid.uuid4())
    events = application_story(app)
    await _project(read_pool, events[:-1])
    assert MARKERS[1] in await _dump(read_pool)
    await _project(read_pool, events[-1:] * 2)
    after = await _dump(read_pool)
    assert [marker for marker in MARKERS[:2] if marker in after] == []
    assert await _contacts(read_pool, app) == [ADA, "bo@stay.example"]
    assert OTHER in after


async def test_forgetting_an_exhibitor_contact_erases_them_from_the_offers_made_from_it(
    read_pool: asyncpg.Pool,
):
    """A re-booking offer copied the application's contact persons, and its email went
    to them: forgetting one of them there erases their copy in the offer too."""
    app, offer, notice = (str(uuid.uuid4()) for _ in range(3))
    *before, forgotten = application_story(app)
    people = [_person(OTHER, ADA), _person(MARKERS[0], MARKERS[1])]
    offered = {**rebooking_offered(offer, app), "contacts": people}
    events = [
        cloud_event("exhibitors", "RebookingOffered", offer, **offered),
        cloud_event("notifications", "NotificationRequested", notice, notificationId=notice,
                    rule="rebooking-offered", template="rebooking_offered", channel="EMAIL",
                    purpose="TRANSACTIONAL", recipient=MARKERS[1], relatedId=offer,
                    triggerEventId=str(uuid.uuid4())),
    ]  # fmt: skip
    await _project(read_pool, [*before, *(_at(20 + n, e, 1) for n, e in enumerate(events))])
    assert MARKERS[0] in await _dump(read_pool)
    await _project(read_pool, [forgotten])
    after = await _dump(read_pool)
    assert [marker for marker in MARKERS[:2] if marker in after] == []
    assert OTHER in after and ADA in after
    status = await read_pool.fetchval(
        "SELECT status FROM rebooking_offers WHERE id = $1", uuid.UUID(offer)
    )
    assert status == "OFFERED"


def rebooking_offered(offer: str, previous: str) -> dict[str, Any]:
    return {
        "offerId": offer, "edition": "CISCE-2027", "editionName": "5th",
        "fromEdition": "CISCE-2026",
        "previousApplicationId": previous, "organizationId": None, "companyName": "Maple",
        "country": "CA", "address": {"streetLines": [], "city": None, "postalCode": None,
                                     "region": None, "country": "CA"},
        "supplyChainAreas": ["CLEAN_ENERGY"], "productCategories": [], "contacts": [],
        "previousEditions": 1, "boothSizeSqm": 18, "heldHall": "A", "heldBoothCode": "A-1",
        "deadline": "2026-10-01T00:00:00+00:00",
    }  # fmt: skip


async def test_a_rebuild_with_a_forgotten_exhibitor_contact_nulled_keeps_the_others(
    read_pool: asyncpg.Pool,
):
    app = str(uuid.uuid4())
    await _project(read_pool, application_story(app, nulled=True))
    assert await _contacts(read_pool, app) == [ADA, "bo@stay.example"]


async def test_a_late_event_about_a_forgotten_contact_writes_nothing_personal_of_theirs(
    read_pool: asyncpg.Pool,
):
    """Even should its values still read (their key not yet gone, say), an event about
    a contact the read model knows forgotten leaves their personal values out."""
    jane, ada = str(uuid.uuid4()), str(uuid.uuid4())
    events = story(jane, ada)
    await _project(read_pool, events)
    interest = next(e.subject for e in events if e.event_type == "InterestCaptured")
    late = [
        cloud_event("outreach", "NoteAdded", interest, noteId=str(uuid.uuid4()),
                    subjectId=interest, text="zorblat-late", contactId=jane),
        cloud_event("outreach", "ConsentWithdrawn", jane, contactId=jane, channel="EMAIL",
                    purpose="MARKETING", reason="zorblat-withdrawn",
                    withdrawnAt="2025-12-05T09:00:00+00:00"),
        cloud_event("outreach", "NoteAdded", ada, noteId=str(uuid.uuid4()), subjectId=ada,
                    text="ada-kept", contactId=ada),
    ]  # fmt: skip
    await _project(read_pool, [_at(40 + n, e, 9) for n, e in enumerate(late)])
    after = await _dump(read_pool)
    assert "zorblat-late" not in after and "zorblat-withdrawn" not in after
    assert "ada-kept" in after
