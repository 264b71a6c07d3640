"""ContactForgotten and ExhibitorContactForgotten in the notifier's own tables: every
copy of the person's data goes.

Their recipient row becomes a tombstone (no address, no name; a late event of theirs
writes nothing) and their consents go; the ledger's notifications to their address
lose the address and the error text (which may quote it); queued mail to them is not
sent (SUPPRESSED, reason FORGOTTEN) and every queued message loses address, message
and error; their reminders are cancelled; their opt-out goes (a new contact at that
address starts without consent anyway); webhook deliveries whose body carries their
id or address (anywhere in the body, however its JSON escapes it) lose the event's
data and subject and their last error. The deliveries of ContactForgotten itself are
enqueued after this, and tell integrators to erase their copies. Nothing is published
about the mail not sent: its notification stays REQUESTED in the gateway's read model.

An exhibitor's contact person, named by their appearances on the application, loses
their contact row and, for that application and the re-booking offers made from it,
the same as above: the ledger's and the queue's copies of their address, their queued
mail, their webhook bodies. (Their
opt-out, if any, is of an address, which a contact of outreach may share: it stays.)"""

from pavilion_contracts.personal import declaration
from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent
from pavilion_core.personal import contacts_named

_CONTACT = "SELECT email FROM recipients WHERE contact_id = $1::text::uuid AND NOT forgotten"
_PERSON = """SELECT email FROM application_contacts
             WHERE application_id = $1::text::uuid AND appearances && $2::int[]"""


# the application, and the re-booking offers that copied its contact persons
_RECORDS = """SELECT $1::text UNION
              SELECT offer_id::text FROM rebooking_offers WHERE application_id = $1::text::uuid"""


def _erasing(addresses: str, notifications: str, bodies: str) -> list[str]:
    """What erases `addresses` (a subquery) from the ledger's `notifications` (a
    condition on its rows) and the queue, and the data of the webhook bodies that
    carry them (or whatever else `bodies` says)."""
    theirs = f"recipient IN ({addresses}) AND {notifications}"
    return [
        f"""UPDATE notifications SET status = 'SUPPRESSED', reason = 'FORGOTTEN'
            WHERE {theirs} AND id IN (SELECT notification_id FROM mail_queue
                                      WHERE status = 'PENDING')""",
        f"""UPDATE mail_queue SET status = 'SUPPRESSED', message = NULL, lease_id = NULL
            WHERE status = 'PENDING' AND notification_id IN (
                SELECT id FROM notifications WHERE {theirs})""",
        f"""UPDATE mail_queue SET recipient = NULL, message = NULL, last_error = NULL
            WHERE notification_id IN (SELECT id FROM notifications WHERE {theirs})""",
        f"""UPDATE notifications SET recipient = NULL,
                reason = CASE WHEN status = 'FAILED' THEN NULL ELSE reason END
            WHERE {theirs}""",
        f"""UPDATE webhook_deliveries SET last_error = NULL,
                body = (body::jsonb || '{{"subject": null, "data": null}}'::jsonb)::text
            WHERE EXISTS (SELECT 1 FROM ({addresses}) a(email)
                          WHERE strpos(lower(body::jsonb::text), lower(a.email)) > 0)
               OR {bodies}""",
    ]


_FORGET_CONTACT = [
    *_erasing(_CONTACT, "true", "strpos(body, $1::text) > 0"),
    f"DELETE FROM opt_outs WHERE address IN ({_CONTACT})",
    """UPDATE reminders SET status = 'CANCELLED'
       WHERE contact_id = $1::text::uuid AND status = 'SCHEDULED'""",
    "DELETE FROM consents WHERE contact_id = $1::text::uuid",
]
_FORGET_PERSON = [
    *_erasing(_PERSON, f"related_id IN ({_RECORDS})", "false"),
    """DELETE FROM application_contacts
       WHERE application_id = $1::text::uuid AND appearances && $2::int[]""",
]


async def contact_forgotten(conn: Connection, event: CloudEvent) -> None:
    contact = event.data["contactId"]
    for statement in _FORGET_CONTACT:
        await conn.execute(statement, contact)
    await conn.execute(
        """INSERT INTO recipients (contact_id, email, name, language, version, forgotten)
           VALUES ($1, NULL, NULL, 'en', $2, true)
           ON CONFLICT (contact_id) DO UPDATE SET email = NULL, name = NULL,
             forgotten = true, version = greatest(recipients.version, EXCLUDED.version)""",
        contact,
        event.stream_version,
    )


_LATE = """UPDATE webhook_deliveries
    SET body = (body::jsonb || '{"subject": null, "data": null}'::jsonb)::text
    WHERE event_id = $1 AND EXISTS (
        SELECT 1 FROM recipients WHERE contact_id::text = ANY ($2::text[]) AND forgotten)"""


async def erase_late(conn: Connection, event: CloudEvent) -> None:
    """The webhook bodies of an event about a contact forgotten already (one of another
    stream, on another partition, such as their address's release) lose its data and
    subject as if it had come before: an event naming them by `contactId`, or holding
    personal values of theirs wherever the contracts say (`contact.contactId` of a
    conversion, say)."""
    if not isinstance(event.data, dict) or event.event_type == "ContactForgotten":
        return
    rules = declaration().get(f"{event.event_type}.v{event.schema_version}", ())
    named = contacts_named(rules, event.data)
    if isinstance(contact := event.data.get("contactId"), str):
        named.add(contact)
    if named:
        await conn.execute(_LATE, event.id, sorted(named))


async def exhibitor_contact_forgotten(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    for statement in _FORGET_PERSON:
        await conn.execute(statement, d["applicationId"], list(d["appearances"]))
