"""ContactForgotten in the read model: every copy of the person's data erased.

The contact's row stays (its id, country, language and links) with every personal
column cleared and `forgotten_at` set, version-checked like any change of the row. The
copies elsewhere are erased whatever their version, which makes it idempotent: the
consents' evidence, the notes of follow-ups on them or their interests, their
interests' loss and refusal reasons, the notifications sent to their address (and why
one failed), and the personal data of every timeline entry about them or naming them
(what the event contracts declare personal: disclosure.json).
The entries of their address's registry stream (`contact-email:<address>`), whose very
subject is the address, go; so does one that arrives after they were forgotten.

Events about them may still arrive after this one (from other streams, on other
partitions); their personal values are null by then, the person's key being
destroyed, and the projector does not rely on it: it nulls them itself
(`unsaid_of_the_forgotten`) before anything is written."""

import json
from collections.abc import Sequence
from dataclasses import replace

from pavilion_contracts.personal import declaration
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent
from pavilion_core.personal import contacts_named, without_contacts

from gateway.disclosure import disclosure
from gateway.rows import Writer, update

_IDS = ("contactId", "subjectId", "leaderId", "mergedInto", "mergedId", "contact,contactId")
_ADDRESSES = ("recipient", "address")
_ADDRESS = "(SELECT email FROM contacts WHERE id = $1::text::uuid)"
_INTERESTS = "SELECT id::text FROM interests WHERE contact_id = $1::text::uuid"
FOLLOW_UPS = f"""SELECT id FROM follow_ups
    WHERE subject_id = $1::text::uuid OR subject_id::text IN ({_INTERESTS})"""
# A timeline entry about the contact $1: of their stream, their interests' or the
# follow-ups on them or their interests, or whose data names them or their address.
NAMING = " OR ".join(
    [
        f"subject_id = $1 OR subject_id IN ({_INTERESTS})",
        f"subject_id IN (SELECT id::text FROM ({FOLLOW_UPS}) f)",
        *(f"data #>> '{{{path}}}' = $1" for path in _IDS),
        *(f"data ->> '{key}' = {_ADDRESS}" for key in _ADDRESSES),
    ]
)
_SCRUB_TIMELINE = f"""UPDATE timeline
    SET data = forget_personal(coalesce($2::jsonb -> type, '{{}}'::jsonb), data)
    WHERE {NAMING}"""
_REGISTRY = "type IN ('ContactEmailClaimed', 'ContactEmailReleased')"


async def contact_forgotten(conn: Writer, event: CloudEvent) -> None:
    contact = event.data["contactId"]
    await conn.execute(
        f"""UPDATE notifications SET recipient = NULL,
                reason = CASE WHEN status = 'FAILED' THEN NULL ELSE reason END
            WHERE recipient = {_ADDRESS}""",
        contact,
    )
    await conn.execute(_SCRUB_TIMELINE, contact, json.dumps(disclosure().public))
    await conn.execute(
        f"DELETE FROM timeline WHERE {_REGISTRY} AND data ->> 'contactId' = $1", contact
    )
    await conn.execute("UPDATE consents SET evidence = NULL WHERE contact_id = $1::uuid", contact)
    await conn.execute(
        f"UPDATE follow_ups SET note = NULL, outcome = NULL WHERE id IN ({FOLLOW_UPS})",
        contact,
    )
    await conn.execute(
        """UPDATE interests SET lost_reason = NULL, refusal_reason = NULL
           WHERE contact_id = $1::uuid""",
        contact,
    )
    await update(
        conn,
        "contacts",
        contact,
        event,
        "name = NULL, title = NULL, email = NULL, phone = NULL, forgotten_at = $3",
    )


async def address_registry(conn: Writer, event: CloudEvent) -> None:
    """An entry of an address's registry stream is kept only while its contact is
    remembered (its subject is the address)."""
    await conn.execute(
        """DELETE FROM timeline WHERE event_id = $1::uuid AND EXISTS (
             SELECT 1 FROM contacts WHERE id = $2::uuid AND forgotten_at IS NOT NULL)""",
        event.id,
        event.data["contactId"],
    )


_FORGOTTEN = """SELECT id::text FROM contacts
    WHERE forgotten_at IS NOT NULL AND id::text = ANY ($1::text[])"""


async def unsaid_of_the_forgotten(
    conn: Connection, events: Sequence[CloudEvent]
) -> list[CloudEvent]:
    """The events, each personal value of a contact the read model knows forgotten
    null (their key's destruction already made it so; this holds even if it had not)."""
    rules = [declaration().get(f"{e.event_type}.v{e.schema_version}", ()) for e in events]
    named = {c for r, e in zip(rules, events, strict=True) for c in contacts_named(r, e.data)}
    if not named:
        return list(events)
    gone = {row["id"] for row in await conn.fetch(_FORGOTTEN, sorted(named))}
    return [
        replace(e, data=without_contacts(r, e.data, gone)) if gone else e
        for r, e in zip(rules, events, strict=True)
    ]
