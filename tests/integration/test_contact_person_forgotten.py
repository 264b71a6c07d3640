"""An outreach contact who is also an exhibitor's contact person (the same address):
when outreach forgets them, exhibitors' reaction to ContactForgotten forgets them in
each application the event names (ExhibitorContactForgotten, as forgetExhibitorContact
records it) and destroys their keys there; whether outreach destroyed those first or
not, and however often the event is delivered. Real PostgreSQL store and vault."""

import uuid
from typing import Any

import asyncpg
from exhibitors.consumers import Reactions
from pavilion_core.envelope import Metadata, NewEvent
from pavilion_core.forgetting import RECIPIENT
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore
from pavilion_core.testing import FixedClock
from pavilion_core.vault import Vault, pseudonym

from tests.support import STORY_TIME, cloud_event, submitted_data

META = Metadata(correlation_id="forget-test", actor="staff:test")
ADA = {"name": "Ada Keep", "email": "ada@keep.example", "phone": None}


def _jane() -> dict[str, Any]:
    """Jane, at an address of this test's own (the vault is shared by the tests)."""
    return {"name": "Jane Roe", "email": f"jane.{uuid.uuid4().hex[:8]}@maple.example",
            "phone": "+15550100"}  # fmt: skip


async def _application(store: EventStore, jane: dict[str, Any]) -> str:
    app = str(uuid.uuid4())
    submitted = submitted_data(app, "Maple", "CA", [ADA, jane], "CLEAN_ENERGY")
    await store.append(
        app, [NewEvent("ApplicationSubmitted", submitted)], expected_version=0, metadata=META
    )
    added = {"applicationId": app, **jane}  # again, after a removal say
    await store.append(
        app, [NewEvent("ExhibitorContactAdded", added)], expected_version=1, metadata=META
    )
    return app


async def _react(pool: asyncpg.Pool, sealer: Sealer, **data: Any) -> None:
    reactions = Reactions(FixedClock(STORY_TIME), sealer)
    event = cloud_event("outreach", "ContactForgotten", data["contactId"], version=3, **data)
    async with pool.acquire() as conn, conn.transaction():
        await reactions(conn, event)


def _forgotten(address: str, *apps: str) -> dict[str, Any]:
    """outreach's ContactForgotten of the contact at `address` (as they wrote it)."""
    return {"contactId": str(uuid.uuid4()), "applicationIds": list(apps),
            "addressPseudonyms": [pseudonym(address.upper())]}  # fmt: skip


async def test_each_application_naming_their_address_forgets_them_and_their_keys_go(
    store_pool: asyncpg.Pool, sealer: Sealer, vault: Vault
):
    store, jane = EventStore(store_pool, sealer), _jane()
    app, other = await _application(store, jane), await _application(store, jane)
    await sealer.vault.issue_for([(RECIPIENT, jane["email"])], lambda _: [])  # mail was sent to her
    forgotten = _forgotten(jane["email"], app, str(uuid.uuid4()))  # one never recorded

    await _react(store_pool, sealer, **forgotten)
    await _react(store_pool, sealer, **forgotten)  # redelivered: nothing more

    *_, last = await store.read_stream(app)
    assert (last.type, last.data) == ("ExhibitorContactForgotten",
                                      {"applicationId": app, "appearances": [2, 3]})  # fmt: skip
    assert len(await store.read_stream(app)) == 3
    assert [e.type for e in await store.read_stream(other)][-1] == "ExhibitorContactAdded"
    assert list((await vault.subjects_of(jane["email"])).values()) == [other]  # not here, mail
    (submitted, _, _) = await store.read_stream(app)
    assert submitted.data["contacts"] == [ADA, {"name": None, "email": None, "phone": None}]


async def test_their_entries_are_forgotten_too_once_outreach_destroyed_their_keys(
    store_pool: asyncpg.Pool, sealer: Sealer, vault: Vault
):
    """outreach destroys every key of the address right after its event: by the time
    exhibitors reacts, her entries read as null, which is how it knows them then."""
    store, jane = EventStore(store_pool, sealer), _jane()
    app = await _application(store, jane)
    for subject in await vault.subjects_of(jane["email"]):
        await vault.forget(subject)

    await _react(store_pool, sealer, **_forgotten(jane["email"], app))

    *_, last = await store.read_stream(app)
    assert last.type == "ExhibitorContactForgotten" and last.data["appearances"] == [2, 3]


async def test_a_contact_forgotten_before_the_applications_were_named_changes_nothing(
    store_pool: asyncpg.Pool, sealer: Sealer
):
    store = EventStore(store_pool, sealer)
    app = await _application(store, _jane())
    await _react(store_pool, sealer, contactId=str(uuid.uuid4()))
    assert [e.type for e in await store.read_stream(app)][-1] == "ExhibitorContactAdded"
