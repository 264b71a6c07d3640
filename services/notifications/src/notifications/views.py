"""The service's own view of recipients, consent and the records messages talk about,
kept from outreach's and exhibitors' events (idempotent upserts: a redelivery or a
replay leaves the same state)."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent

from notifications.consent import ConsentGrant, RecipientView
from notifications.rules import Purpose

Apply = Callable[[Connection, CloudEvent], Awaitable[None]]


async def contact(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO recipients (contact_id, email, name, language) VALUES ($1, $2, $3, $4)
           ON CONFLICT (contact_id) DO UPDATE SET email = EXCLUDED.email,
             name = EXCLUDED.name, language = EXCLUDED.language""",
        d["contactId"],
        d["email"].lower(),
        d["name"],
        d["language"],
    )


async def consent_granted(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    expires = datetime.fromisoformat(d["expiresAt"]) if d["expiresAt"] else None
    await conn.execute(
        """INSERT INTO consents (contact_id, channel, purpose, granted_at, expires_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (contact_id, channel, purpose) DO UPDATE
             SET granted_at = EXCLUDED.granted_at, expires_at = EXCLUDED.expires_at""",
        d["contactId"],
        d["channel"],
        d["purpose"],
        datetime.fromisoformat(d["grantedAt"]),
        expires,
    )


async def consent_withdrawn(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        "DELETE FROM consents WHERE contact_id = $1 AND channel = $2 AND purpose = $3",
        d["contactId"],
        d["channel"],
        d["purpose"],
    )


async def application_submitted(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO applications (application_id, edition, company_name) VALUES ($1, $2, $3)
           ON CONFLICT (application_id) DO NOTHING""",
        d["applicationId"],
        d["edition"],
        d["companyName"],
    )
    for c in d["contacts"]:
        await _application_contact(conn, d["applicationId"], c["email"], c["name"])


async def profile_updated(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        "UPDATE applications SET company_name = $2 WHERE application_id = $1",
        d["applicationId"],
        d["companyName"],
    )


async def exhibitor_contact_added(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await _application_contact(conn, d["applicationId"], d["email"], d["name"])


async def exhibitor_contact_removed(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        "DELETE FROM application_contacts WHERE application_id = $1 AND email = $2",
        d["applicationId"],
        d["email"].lower(),
    )


async def _application_contact(
    conn: Connection, application_id: str, email: str, name: str
) -> None:
    await conn.execute(
        """INSERT INTO application_contacts (application_id, email, name) VALUES ($1, $2, $3)
           ON CONFLICT (application_id, email) DO UPDATE SET name = EXCLUDED.name""",
        application_id,
        email.lower(),
        name,
    )


async def event_scheduled(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO outreach_events (event_id, name, city, venue, starts_at, status)
           VALUES ($1, $2, $3, $4, $5, 'SCHEDULED') ON CONFLICT (event_id) DO NOTHING""",
        d["eventId"],
        d["name"],
        d["city"],
        d["venue"],
        datetime.fromisoformat(d["startsAt"]),
    )


async def event_rescheduled(conn: Connection, event: CloudEvent) -> None:
    await conn.execute(
        "UPDATE outreach_events SET starts_at = $2 WHERE event_id = $1",
        event.data["eventId"],
        datetime.fromisoformat(event.data["startsAt"]),
    )


async def organization(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO organizations (organization_id, name) VALUES ($1, $2)
           ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name""",
        d["organizationId"],
        d["name"],
    )


async def interest_captured(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO interests (interest_id, contact_id, organization_id, kind)
           VALUES ($1, $2, $3, $4) ON CONFLICT (interest_id) DO NOTHING""",
        d["interestId"],
        d["contactId"],
        d["organizationId"],
        d["kind"],
    )


async def recipient_view(db: "Connection | Pool", address: str, language: str) -> RecipientView:
    """What consent decides on: the address's opt-out and its contact's grants."""
    opted_out = await db.fetchval("SELECT true FROM opt_outs WHERE address = $1", address)
    rows = await db.fetch(
        """SELECT c.channel, c.purpose, c.granted_at, c.expires_at FROM consents c
           JOIN recipients r ON r.contact_id = c.contact_id WHERE r.email = $1""",
        address,
    )
    grants = {
        (r["channel"], Purpose(r["purpose"])): ConsentGrant(r["granted_at"], r["expires_at"])
        for r in rows
    }
    return RecipientView(address, language, bool(opted_out), grants)


def _event_status(status: str) -> Apply:
    async def apply(conn: Connection, event: CloudEvent) -> None:
        await conn.execute(
            "UPDATE outreach_events SET status = $2 WHERE event_id = $1",
            event.data["eventId"],
            status,
        )

    return apply


VIEWS: dict[str, Apply] = {
    "pavilion.outreach.ContactRegistered.v1": contact,
    "pavilion.outreach.ContactUpdated.v1": contact,
    "pavilion.outreach.OrganizationRegistered.v1": organization,
    "pavilion.outreach.OrganizationUpdated.v1": organization,
    "pavilion.outreach.InterestCaptured.v1": interest_captured,
    "pavilion.outreach.ConsentGranted.v1": consent_granted,
    "pavilion.outreach.ConsentWithdrawn.v1": consent_withdrawn,
    "pavilion.outreach.OutreachEventScheduled.v1": event_scheduled,
    "pavilion.outreach.OutreachEventRescheduled.v1": event_rescheduled,
    "pavilion.outreach.OutreachEventHeld.v1": _event_status("HELD"),
    "pavilion.outreach.OutreachEventCancelled.v1": _event_status("CANCELLED"),
    "pavilion.exhibitors.ApplicationSubmitted.v1": application_submitted,
    "pavilion.exhibitors.ExhibitorProfileUpdated.v1": profile_updated,
    "pavilion.exhibitors.ExhibitorContactAdded.v1": exhibitor_contact_added,
    "pavilion.exhibitors.ExhibitorContactRemoved.v1": exhibitor_contact_removed,
}
