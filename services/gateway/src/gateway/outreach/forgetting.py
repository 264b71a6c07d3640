"""ContactForgotten in the read model: every copy of the person's data erased.

The contact's row stays (its id, country, language and links) with every personal
column cleared and `forgotten_at` set, version-checked like any change of the row. The
copies elsewhere are erased whatever their version, which makes it idempotent: the
consents' evidence, the notes of follow-ups on them or their interests, the
notifications sent to their address, and the personal data of every timeline entry
about them or naming them (what the event contracts declare personal: disclosure.json).
The entries of their address's registry stream (`contact-email:<address>`), whose very
subject is the address, go; so does one that arrives after they were forgotten.

Events about them may still arrive after this one (from other streams, on other
partitions); their personal values are null by then, the person's key being
destroyed."""

import json

from pavilion_core.envelope import CloudEvent

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
        """UPDATE notifications SET recipient = NULL
           WHERE recipient = (SELECT email FROM contacts WHERE id = $1::text::uuid)""",
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
