"""ContactForgotten in the notifier's own tables: every copy of the person's data goes.

Their recipient row becomes a tombstone (no address, no name; a late event of theirs
writes nothing) and their consents go; the ledger's notifications to their address
lose the address and the error text (which may quote it); queued mail to them is not
sent (SUPPRESSED, reason FORGOTTEN) and every queued message loses address, message
and error; their reminders are cancelled; their opt-out goes (a new contact at that
address starts without consent anyway); webhook deliveries whose body carries their
id or address lose the event's data and subject and their last error. The deliveries
of ContactForgotten itself are enqueued after this, and tell integrators to erase
their copies. Nothing is published about the mail not sent: its notification stays
REQUESTED in the gateway's read model."""

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent

_ADDRESS = "SELECT email FROM recipients WHERE contact_id = $1::text::uuid AND NOT forgotten"
_SCRUB = [
    f"""UPDATE notifications SET status = 'SUPPRESSED', reason = 'FORGOTTEN'
        WHERE recipient = ({_ADDRESS}) AND id IN (
            SELECT notification_id FROM mail_queue WHERE status = 'PENDING')""",
    f"""UPDATE mail_queue SET status = 'SUPPRESSED', message = NULL, lease_id = NULL
        WHERE recipient = ({_ADDRESS}) AND status = 'PENDING'""",
    f"""UPDATE mail_queue SET recipient = NULL, message = NULL, last_error = NULL
        WHERE recipient = ({_ADDRESS})""",
    f"""UPDATE notifications SET recipient = NULL,
            reason = CASE WHEN status = 'FAILED' THEN NULL ELSE reason END
        WHERE recipient = ({_ADDRESS})""",
    f"DELETE FROM opt_outs WHERE address = ({_ADDRESS})",
    f"""UPDATE webhook_deliveries SET last_error = NULL,
            body = (body::jsonb || '{{"subject": null, "data": null}}'::jsonb)::text
        WHERE strpos(body, $1::text) > 0 OR strpos(lower(body), ({_ADDRESS})) > 0""",
    """UPDATE reminders SET status = 'CANCELLED'
       WHERE contact_id = $1::text::uuid AND status = 'SCHEDULED'""",
    "DELETE FROM consents WHERE contact_id = $1::text::uuid",
]


async def contact_forgotten(conn: Connection, event: CloudEvent) -> None:
    contact = event.data["contactId"]
    for statement in _SCRUB:
        await conn.execute(statement, contact)
    await conn.execute(
        """INSERT INTO recipients (contact_id, email, name, language, version, forgotten)
           VALUES ($1, NULL, NULL, 'en', $2, true)
           ON CONFLICT (contact_id) DO UPDATE SET email = NULL, name = NULL,
             forgotten = true, version = greatest(recipients.version, EXCLUDED.version)""",
        contact,
        event.stream_version,
    )
