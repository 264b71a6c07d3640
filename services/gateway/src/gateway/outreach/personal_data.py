"""GDPR art. 15: everything the read model holds about one person, for an ADMIN, in one
consistent snapshot. Each export is logged (who asked, about whom: ids only)."""

import json
import logging
from typing import Any, cast

import asyncpg
import strawberry
from pavilion_core.db import Connection
from strawberry.scalars import JSON

from gateway.outreach.columns import Info
from gateway.outreach.forgetting import FOLLOW_UPS, NAMING
from gateway.policy import NotFound, OnlyAdmin, decode

log = logging.getLogger(__name__)

_PARTS = {
    "consents": "SELECT * FROM consents WHERE contact_id = $1::uuid",
    "invitations": """SELECT i.*, e.name AS event_name FROM invitations i
                      JOIN outreach_events e ON e.id = i.event_id WHERE i.contact_id = $1::uuid""",
    "interests": "SELECT * FROM interests WHERE contact_id = $1::uuid",
    "followUps": f"SELECT * FROM follow_ups WHERE id IN ({FOLLOW_UPS})",
    "delegations": """SELECT id, name, leader_id = $1::uuid AS leads FROM delegations
                      WHERE leader_id = $1::uuid OR $1::uuid = ANY (member_ids)""",
    "timeline": f"""SELECT event_id, subject_id, type, occurred_at, actor, data FROM timeline
                    WHERE {NAMING} ORDER BY occurred_at, event_id""",
    "notifications": """SELECT * FROM notifications
                        WHERE recipient = (SELECT email FROM contacts WHERE id = $1::uuid)""",
}


async def export(conn: Connection, contact_id: str) -> dict[str, Any] | None:
    contact = await conn.fetchrow("SELECT * FROM contacts WHERE id = $1::uuid", contact_id)
    if contact is None:
        return None
    found: dict[str, Any] = {"contact": _plain(contact)}
    for part, query in _PARTS.items():
        found[part] = [_plain(row) for row in await conn.fetch(query, contact_id)]
    return found


def _plain(row: asyncpg.Record) -> dict[str, Any]:
    """A row as JSON: instants and ids as text, a timeline entry's data as it was."""
    values = dict(row)
    if "data" in values:
        values["data"] = json.loads(values["data"])
    return cast(dict[str, Any], json.loads(json.dumps(values, default=str)))


@strawberry.type
class PersonalDataQueries:
    @strawberry.field(
        permission_classes=[OnlyAdmin],
        description="ADMIN only (each export is logged): everything held about a person "
        "(GDPR art. 15) - the contact, consents with evidence, invitations, interests, "
        "follow-ups, delegations, timeline entries about or naming them, notifications "
        "sent to their address.",
    )
    async def personal_data(self, info: Info, contact_id: strawberry.ID) -> JSON:
        ctx, contact = info.context, str(decode(contact_id, "Contact", field="contactId").id)
        async with ctx.pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            found = await export(conn, contact)
        if found is None:
            raise NotFound(f"there is no Contact {contact_id}", "contactId")
        log.info("personal data exported", extra={"contact": contact, "by": ctx.viewer.subject})
        return cast(JSON, found)
