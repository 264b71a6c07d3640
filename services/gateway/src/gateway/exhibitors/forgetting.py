"""ExhibitorContactForgotten in the read model: the person leaves the application's
contacts, and every copy of their data goes: notifications about the application, and
about the re-booking offers made from it, sent to them (rows and timeline entries), their
entries in the application's timeline, and their element of those offers' contacts.

The event names them by appearances, not by address; the addresses are read from the
application's timeline (application_contact_addresses, migration 009) before anything
is erased there. Idempotent: once erased, the addresses read as nothing."""

import json

from pavilion_core.envelope import CloudEvent

from gateway.disclosure import disclosure
from gateway.rows import Writer, update

_ADDRESSES = "application_contact_addresses($1, $2::int[])"
# the application, and the re-booking offers that copied its contact persons
_RECORDS = """SELECT $1 UNION SELECT subject_id FROM timeline
    WHERE type = 'RebookingOffered' AND data ->> 'previousApplicationId' = $1"""
_THEIR_NOTIFICATIONS = f"""SELECT id::text FROM notifications
    WHERE related_id IN ({_RECORDS}) AND lower(recipient) = ANY ({_ADDRESSES})"""
_SCRUB_NOTICES = f"""UPDATE timeline
    SET data = forget_personal(coalesce($3::jsonb -> type, '{{}}'::jsonb), data)
    WHERE subject_id IN ({_THEIR_NOTIFICATIONS})"""
_FORGET_NOTIFICATIONS = (
    f"UPDATE notifications SET recipient = NULL WHERE id::text IN ({_THEIR_NOTIFICATIONS})"
)
# (an update's own parameters start at $4); an entry whose address reads as null goes too
_CONTACTS = """contacts = coalesce((SELECT jsonb_agg(c) FROM jsonb_array_elements(contacts) c
    WHERE c ->> 'email' IS NOT NULL
      AND NOT lower(c ->> 'email') = ANY (application_contact_addresses($4, $5::int[]))),
    '[]'::jsonb)"""
_SUBMITTED = "ApplicationSubmitted,contacts"
# their own entries redacted; in ApplicationSubmitted, their element of `contacts` alone
_SCRUB_ENTRIES = f"""UPDATE timeline SET data = CASE type
    WHEN 'ApplicationSubmitted' THEN jsonb_set(data, '{{contacts}}', (
        SELECT jsonb_agg(CASE WHEN lower(c ->> 'email') = ANY ({_ADDRESSES})
                              THEN forget_personal($3::jsonb #> '{{{_SUBMITTED}}}', c)
                              ELSE c END ORDER BY n)
        FROM jsonb_array_elements(data -> 'contacts') WITH ORDINALITY AS e(c, n)))
    ELSE forget_personal(coalesce($3::jsonb -> type, '{{}}'::jsonb), data) END
    WHERE subject_id = $1 AND (
        type = 'ApplicationSubmitted' OR lower(data ->> 'email') = ANY ({_ADDRESSES}))"""


_OFFERED = "RebookingOffered,contacts"
_SCRUB_OFFERS = f"""UPDATE timeline SET data = jsonb_set(data, '{{contacts}}', (
        SELECT jsonb_agg(CASE WHEN lower(c ->> 'email') = ANY ({_ADDRESSES})
                              THEN forget_personal($3::jsonb #> '{{{_OFFERED}}}', c)
                              ELSE c END ORDER BY n)
        FROM jsonb_array_elements(data -> 'contacts') WITH ORDINALITY AS e(c, n)))
    WHERE type = 'RebookingOffered' AND data ->> 'previousApplicationId' = $1
      AND jsonb_array_length(data -> 'contacts') > 0"""


async def contact_forgotten(conn: Writer, event: CloudEvent) -> None:
    application, appearances = event.data["applicationId"], list(event.data["appearances"])
    shapes = json.dumps(disclosure().public)
    await conn.execute(_SCRUB_NOTICES, application, appearances, shapes)
    await conn.execute(_FORGET_NOTIFICATIONS, application, appearances)
    await update(conn, "exhibitors", application, event, _CONTACTS, application, appearances)
    await conn.execute(_SCRUB_OFFERS, application, appearances, shapes)
    await conn.execute(_SCRUB_ENTRIES, application, appearances, shapes)  # the addresses: last
