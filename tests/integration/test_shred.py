"""Crypto-shredding: personal values are stored and published sealed with a key per
person, read back in the clear while the key exists, and as null everywhere once the
person is forgotten — the ciphertext in the `events` table and on the topic unchanged.
"""

import json
import re
import uuid

import asyncpg
import httpx
import pytest
from aiokafka import ConsumerRecord
from exhibitors.demo import load as load_exhibitors
from fastapi import FastAPI
from gateway.projector import Projector
from outreach.demo import load as load_outreach
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import CloudEvent, Metadata, NewEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher
from pavilion_core.outages import Backoff
from pavilion_core.personal import SealBroken, Sealer
from pavilion_core.pgstore import EVENT_COLUMNS, EventStore, recorded_event
from pavilion_core.relay import OutboxRelay
from pavilion_core.vault import Vault

from tests.integration.consumer_support import RETRYING, Start, add_applications, logged
from tests.support import STORY_TIME, eventually, ok, read_topic, refused, registered

META = Metadata(correlation_id="shred-test", actor="staff:test")
NAME, EMAIL = "Ada Lovelace", "Ada.Lovelace@Example.test"
APPLICATION = {"edition": "CISCE-2026", "companyName": "Prairie Grain Co-op", "country": "CA",
               "supplyChainAreas": ["GREEN_AGRICULTURE"], "productCategories": [],
               "contacts": [{"name": "Sam Lee", "email": "sam@prairie.example"}]}  # fmt: skip
SUBJECT = re.compile(r'"pii:1:(.+?):[A-Za-z0-9_-]+"')


def contact_registered(contact: str) -> NewEvent:
    data = registered(contact, NAME, EMAIL, "GB", "en") | {"phone": "+442071234567"}
    return NewEvent("ContactRegistered", data)


async def raw_rows(pool: asyncpg.Pool) -> list[str]:
    return [r["data"] for r in await pool.fetch("SELECT data::text FROM events ORDER BY position")]


async def relayed(pool: asyncpg.Pool, publisher: KafkaPublisher, kafka: KafkaSettings, topic: str):
    relay = OutboxRelay(pool, publisher, service="outreach", topic=topic)
    while await relay.publish_batch():
        pass
    count = await pool.fetchval("SELECT count(*) FROM events")
    return await read_topic(kafka, topic, lambda messages: len(messages) >= count)


def clear_anywhere(record: ConsumerRecord) -> bool:
    """Whether any of the person's values shows in the record: key, value or headers."""
    seen = [record.key or b"", record.value or b"", *(v for _, v in record.headers)]
    return any(
        marker.lower().encode() in part.lower()
        for part in seen
        for marker in (NAME, EMAIL, "Lovelace", "2071234567")
    )


async def test_personal_values_are_sealed_at_rest_and_on_the_topic_and_shredded_by_forgetting(
    store_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    sealer: Sealer,
    vault: Vault,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
    start: Start,
):
    store, contact = EventStore(store_pool, sealer), str(uuid.uuid4())
    await store.append(contact, [contact_registered(contact)], expected_version=0, metadata=META)

    (row,) = await raw_rows(store_pool)
    stored = json.loads(row)
    assert "Lovelace" not in row and "example.test" not in row.lower()
    for field in ("name", "email", "phone"):
        assert stored[field].startswith(f"pii:1:contact:{contact}:")
    assert stored["country"] == "GB" and stored["contactId"] == contact  # not personal
    (record,) = await relayed(store_pool, publisher, kafka, topic)
    assert not clear_anywhere(record)
    assert json.loads(record.value) == stored  # published as stored: sealed

    (loaded,) = await store.read_stream(contact)
    assert (loaded.data["name"], loaded.data["email"]) == (NAME, EMAIL)

    await vault.forget(f"contact:{contact}")

    assert await raw_rows(store_pool) == [row]  # the ciphertext is unchanged...
    (again,) = await read_topic(kafka, topic, lambda messages: len(messages) >= 1)
    assert again.value == record.value
    (forgotten,) = await store.read_stream(contact)  # ... and opens no more
    assert forgotten.data == stored | {"name": None, "email": None, "phone": None}
    # a consumer (the gateway's projector, through the real loop) applies it all the same
    await add_applications(read_pool)
    start("projector", read_pool, f"shred-{uuid.uuid4().hex[:6]}")
    projected = await eventually(
        lambda: read_pool.fetchrow("SELECT name, email, country FROM contacts WHERE id = $1",
                                   uuid.UUID(contact)),
        what="the forgotten contact projected",
    )  # fmt: skip
    assert dict(projected) == {"name": None, "email": None, "country": "GB"}
    assert not await read_pool.fetchval("SELECT count(*) FROM parked_messages")


async def test_a_forgotten_subject_is_never_keyed_again_and_its_new_values_are_stored_null(
    store_pool: asyncpg.Pool, sealer: Sealer, vault: Vault
):
    store, contact = EventStore(store_pool, sealer), str(uuid.uuid4())
    await vault.forget(f"contact:{contact}")
    assert await vault.forgotten(f"contact:{contact}")
    assert await vault.issue_for((), lambda _: [f"contact:{contact}"]) == (
        [f"contact:{contact}"],
        {},
    )

    await store.append(contact, [contact_registered(contact)], expected_version=0, metadata=META)

    (row,) = await raw_rows(store_pool)
    assert json.loads(row) | {} == registered(contact, None, None, "GB", "en")  # type: ignore[arg-type]


async def test_an_exhibitors_contact_persons_are_sealed_each_under_a_subject_of_their_own(
    store_pool: asyncpg.Pool, sealer: Sealer, vault: Vault
):
    store, app = EventStore(store_pool, sealer), str(uuid.uuid4())
    people = [{"name": "Grace Hopper", "email": "grace@navy.test", "phone": None},
              {"name": "Alan Turing", "email": "AT@bletchley.test", "phone": "+44123"}]  # fmt: skip
    data = {"applicationId": app, "edition": "CISCE-2026", "companyName": "Acme",
            "country": "GB", "supplyChainAreas": ["CLEAN_ENERGY"], "productCategories": [],
            "contacts": people, "organizationId": None, "sourceInterestId": None,
            "previousEditions": 0, "boothSizeSqm": None}  # fmt: skip
    await store.append(
        app, [NewEvent("ApplicationSubmitted", data)], expected_version=0, metadata=META
    )

    stored = json.loads((await raw_rows(store_pool))[0])
    grace, alan = stored["contacts"]
    assert grace["phone"] is None and stored["companyName"] == "Acme"
    ((grace_subject, scope),) = (await vault.subjects_of("Grace@Navy.test")).items()
    (alan_subject,) = await vault.subjects_of("at@bletchley.test")
    assert scope == app  # the application whose contact person she is
    assert grace["name"].startswith(f"pii:1:{grace_subject}:")
    assert alan["email"].startswith(f"pii:1:{alan_subject}:") and grace_subject != alan_subject

    assert await vault.forget_person(app, "GRACE@navy.test ") == grace_subject
    assert await vault.forget_person(str(uuid.uuid4()), "at@bletchley.test") is None  # elsewhere

    (loaded,) = await store.read_stream(app)
    assert loaded.data["contacts"] == [{"name": None, "email": None, "phone": None}, people[1]]
    assert await vault.subjects_of("grace@navy.test") == {}  # the person's row went too


async def test_the_vault_away_is_an_outage_that_is_retried_not_a_message_parked(
    store_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    sealer: Sealer,
    vault: Vault,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
    start: Start,
    caplog: pytest.LogCaptureFixture,
):
    store, contact = EventStore(store_pool, sealer), str(uuid.uuid4())
    await store.append(contact, [contact_registered(contact)], expected_version=0, metadata=META)
    await relayed(store_pool, publisher, kafka, topic)
    # a vault no server answers for (nothing listens on port 1): connecting fails
    away = await asyncpg.create_pool("postgresql://postgres@127.0.0.1:1/vault", min_size=0)
    sealer.vault = Vault(away)

    await add_applications(read_pool)
    running = start("projector", read_pool, "shred-outage", backoff=Backoff(0.05, 0.2))
    await eventually(lambda: _async(logged(caplog, RETRYING) >= 2), what="retries")
    assert not await read_pool.fetchval("SELECT count(*) FROM parked_messages")
    assert not await read_pool.fetchval("SELECT count(*) FROM contacts")

    sealer.vault = vault  # back
    name = await eventually(
        lambda: read_pool.fetchval("SELECT name FROM contacts WHERE id = $1", uuid.UUID(contact)),
        what="the contact projected once the vault is back",
    )
    assert name == NAME
    await running.stopped()
    await away.close()


async def _async(value: bool) -> bool:
    return value


async def test_a_value_whose_seal_does_not_open_is_the_messages_failure_and_parks_it(
    store_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    sealer: Sealer,
    kafka: KafkaSettings,
    topic: str,
    publisher: KafkaPublisher,
    start: Start,
):
    """A sealed value moved to another person's event (or altered) does not open with
    that person's key: not an outage, the message's own fault."""
    store, ada, bob = EventStore(store_pool, sealer), str(uuid.uuid4()), str(uuid.uuid4())
    for contact in (ada, bob):
        event = contact_registered(contact)
        await store.append(contact, [event], expected_version=0, metadata=META)
    ada_name = json.loads((await raw_rows(store_pool))[0])["name"]
    moved = ada_name.replace(f"contact:{ada}", f"contact:{bob}")  # Ada's ciphertext, Bob's key
    await store_pool.execute(
        "UPDATE events SET data = jsonb_set(data, '{name}', to_jsonb($1::text))"
        " WHERE stream_id = $2",
        moved,
        bob,
    )
    with pytest.raises(SealBroken):
        await store.read_stream(bob)
    await relayed(store_pool, publisher, kafka, topic)

    await add_applications(read_pool)
    start("projector", read_pool, f"shred-{uuid.uuid4().hex[:6]}")
    parked = await eventually(
        lambda: read_pool.fetch("SELECT record_key, error_type FROM parked_messages"),
        what="the broken one parked",
    )
    assert [(bytes(r["record_key"]).decode(), r["error_type"]) for r in parked] == [
        (bob, "SealBroken")
    ]
    await eventually(
        lambda: read_pool.fetchval("SELECT count(*) FROM contacts WHERE id = $1", uuid.UUID(ada)),
        what="the other record applied",
    )


async def test_the_read_model_rebuilt_after_everyone_was_forgotten_applies_every_event(
    outreach_api: httpx.AsyncClient,
    outreach_pool: asyncpg.Pool,
    exhibitors_history: httpx.AsyncClient,
    store_pool: asyncpg.Pool,
    read_pool: asyncpg.Pool,
    sealer: Sealer,
    vault: Vault,
):
    """Both demos (every kind of personal value they hold), every subject in them
    forgotten, then their whole history projected as a rebuild does: nothing fails."""
    await load_outreach(outreach_api, anchor=STORY_TIME.date())
    await load_exhibitors(exhibitors_history, count=40)
    stores = {"outreach": outreach_pool, "exhibitors": store_pool}
    rows = {s: await pool.fetch(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY position")
            for s, pool in stores.items()}  # fmt: skip
    subjects = {m for rs in rows.values() for r in rs for m in SUBJECT.findall(r["data"])}
    assert any(s.startswith("person:") for s in subjects) and len(subjects) > 200
    for subject in subjects:
        await vault.forget(subject)

    records = [to_kafka(recorded_event(r), s) for s, rs in rows.items() for r in rs]
    events = await sealer.decode_all([(r.value, r.headers) for r in records])
    assert not any("pii:1:" in json.dumps(e.data) for e in events if isinstance(e, CloudEvent))
    async with read_pool.acquire() as conn, conn.transaction():
        for event in events:
            assert isinstance(event, CloudEvent)
            await Projector(announce=False)(conn, event)
    assert await read_pool.fetchval("SELECT count(*) FROM contacts WHERE name IS NULL") > 150


async def test_a_command_while_the_vault_is_away_is_unavailable_and_appends_nothing(
    exhibitors_app: FastAPI, exhibitors_api: httpx.AsyncClient, store_pool: asyncpg.Pool
):
    sealer: Sealer = exhibitors_app.state.services.sealer
    here = sealer.vault
    away = await asyncpg.create_pool("postgresql://postgres@127.0.0.1:1/vault", min_size=0)
    sealer.vault = Vault(away)
    seeded = await store_pool.fetchval("SELECT count(*) FROM events")  # the editions
    try:
        answer = await exhibitors_api.post("/applications", json=APPLICATION)
        refused(answer, 503, "UNAVAILABLE")
        assert "retry-after" in answer.headers
        assert (await exhibitors_api.get("/readyz")).status_code == 503
        assert await store_pool.fetchval("SELECT count(*) FROM events") == seeded
    finally:
        sealer.vault = here
        await away.close()
    await ok(await exhibitors_api.post("/applications", json=APPLICATION), 201)


async def test_text_about_a_contact_in_another_record_is_sealed_with_the_contacts_key(
    store_pool: asyncpg.Pool, sealer: Sealer, vault: Vault
):
    """A note on their lead and a follow-up's outcome name the contact they are about:
    forgetting the contact erases them; a note about no one is its record's."""
    store, contact, interest = EventStore(store_pool, sealer), str(uuid.uuid4()), str(uuid.uuid4())
    follow_up, org = str(uuid.uuid4()), str(uuid.uuid4())
    note = {"noteId": str(uuid.uuid4()), "subjectId": interest, "text": f"{NAME} prefers tea"}
    outcome = {"followUpId": follow_up, "outcome": f"mailed {EMAIL}", "contactId": contact}
    plain = {"noteId": str(uuid.uuid4()), "subjectId": org, "text": "HQ moved"}
    for stream, kind, data in [
        (interest, "NoteAdded", note | {"contactId": contact}),
        (follow_up, "FollowUpCompleted", outcome),
        (org, "NoteAdded", plain | {"contactId": None}),
    ]:
        await store.append(stream, [NewEvent(kind, data)], expected_version=0, metadata=META)

    rows = await raw_rows(store_pool)
    assert [SUBJECT.findall(row) for row in rows] == [
        [f"contact:{contact}"],
        [f"contact:{contact}"],
        [f"record:{org}"],
    ]
    await vault.forget(f"contact:{contact}")
    assert (await store.read_stream(interest))[0].data["text"] is None
    assert (await store.read_stream(follow_up))[0].data["outcome"] is None
    assert (await store.read_stream(org))[0].data["text"] == "HQ moved"
