"""The service's own view of recipients, consent and the records messages talk about,
kept from outreach's and exhibitors' events. Every row keeps the version (in its own
stream) of the last event that wrote it, and only a newer event writes it again: a
redelivery, a replay or an older event arriving late leaves the same state. Withdrawn
consents and removed application contacts stay as tombstones for the same reason."""

from collections.abc import Awaitable, Callable, Collection
from datetime import datetime
from typing import Any

from pavilion_contracts.outreach import ConsentPurpose
from pavilion_contracts.reader import READER
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent

from notifications.consent import ConsentGrant, RecipientView
from notifications.forgetting import contact_forgotten, exhibitor_contact_forgotten

Apply = Callable[[Connection, CloudEvent], Awaitable[None]]


async def contact(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await _recipient(conn, d["contactId"], d, event.stream_version)


async def _recipient(conn: Connection, contact_id: str, d: dict[str, Any], version: int) -> None:
    if d["email"] is None:  # a forgotten person's (shredded): no one to write to
        return
    await conn.execute(
        """INSERT INTO recipients (contact_id, email, name, language, version)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (contact_id) DO UPDATE SET email = EXCLUDED.email,
             name = EXCLUDED.name, language = EXCLUDED.language, version = EXCLUDED.version
           WHERE recipients.version < EXCLUDED.version AND NOT recipients.forgotten""",
        contact_id,
        _lower(d["email"]),
        d["name"],
        d["language"],
        version,
    )


def _lower(address: str | None) -> str | None:
    """An address as the views key it; null once its person is forgotten."""
    return address.lower() if address else None


async def consent_granted(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await _consent(conn, d, d, event.stream_version)


async def consent_withdrawn(conn: Connection, event: CloudEvent) -> None:
    await _consent(conn, event.data, None, event.stream_version)


async def _consent(
    conn: Connection, key: dict[str, Any], grant: dict[str, Any] | None, version: int
) -> None:
    """The consent for `key`'s contact, channel and purpose as of `version` of the
    contact's stream: `grant` (its grantedAt, expiresAt) or, withdrawn, a tombstone."""
    granted = datetime.fromisoformat(grant["grantedAt"]) if grant else None
    expires = datetime.fromisoformat(grant["expiresAt"]) if grant and grant["expiresAt"] else None
    await conn.execute(
        """INSERT INTO consents (contact_id, channel, purpose, granted_at, expires_at, version)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (contact_id, channel, purpose) DO UPDATE
             SET granted_at = EXCLUDED.granted_at, expires_at = EXCLUDED.expires_at,
               version = EXCLUDED.version
           WHERE consents.version < EXCLUDED.version""",
        key["contactId"],
        key["channel"],
        key["purpose"],
        granted,
        expires,
        version,
    )


async def invited(conn: Connection, event: CloudEvent) -> None:
    """The invitee as outreach knew them when it invited (at `contactVersion` of the
    contact's stream), written like any contact event: the decision that follows reads
    it even when the contact's own partition lags behind, and a later contact event
    still wins. Invitations recorded before they carried it teach nothing."""
    d, invitee = event.data, event.data.get("invitee")
    if invitee is None:
        return
    version = invitee["contactVersion"]
    await _recipient(conn, d["contactId"], invitee, version)
    key = {
        "contactId": d["contactId"],
        "channel": "EMAIL",
        "purpose": ConsentPurpose.MARKETING.value,
    }
    await _consent(conn, key, invitee["emailMarketing"], version)


async def application_submitted(conn: Connection, event: CloudEvent) -> None:
    d, version = event.data, event.stream_version
    await conn.execute(
        """INSERT INTO applications (application_id, edition, company_name, version,
                                     contact_entries)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (application_id) DO UPDATE SET edition = EXCLUDED.edition,
             company_name = EXCLUDED.company_name, version = EXCLUDED.version,
             contact_entries = EXCLUDED.contact_entries
           WHERE applications.version < EXCLUDED.version""",
        d["applicationId"],
        d["edition"],
        d["companyName"],
        version,
        len(d["contacts"]),
    )
    for n, c in enumerate(d["contacts"], 1):
        await _application_contact(conn, d["applicationId"], c, version, appearance=n)


async def profile_updated(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """UPDATE applications SET company_name = $2, version = $3
           WHERE application_id = $1 AND version < $3""",
        d["applicationId"],
        d["companyName"],
        event.stream_version,
    )


async def exhibitor_contact_added(conn: Connection, event: CloudEvent) -> None:
    """A new contact entry: its appearance is the application's next number."""
    d = event.data
    appearance = await conn.fetchval(
        """UPDATE applications SET contact_entries = contact_entries + 1, version = $2
           WHERE application_id = $1 AND version < $2 RETURNING contact_entries""",
        d["applicationId"],
        event.stream_version,
    )
    if appearance is not None:  # else seen already
        await _application_contact(conn, d["applicationId"], d, event.stream_version, appearance)


async def exhibitor_contact_removed(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await _application_contact(conn, d["applicationId"], d, event.stream_version, removed=True)


async def _application_contact(
    conn: Connection,
    application_id: str,
    c: dict[str, Any],
    version: int,
    appearance: int | None = None,
    removed: bool = False,
) -> None:
    """One contact person of an application as of `version` of its stream, with the
    language the application named for them, if any (a removed one stays as a
    tombstone, so that an older addition cannot bring it back). A forgotten person's
    address reads as null: there is nothing to write."""
    if c["email"] is None:
        return
    await conn.execute(
        """INSERT INTO application_contacts AS a
               (application_id, email, name, language, removed, version, appearances)
           VALUES ($1, $2, $3, $4, $5, $6, array_remove(ARRAY[$7::int], NULL))
           ON CONFLICT (application_id, email) DO UPDATE SET name = EXCLUDED.name,
             language = EXCLUDED.language, removed = EXCLUDED.removed,
             version = EXCLUDED.version, appearances = a.appearances || EXCLUDED.appearances
           WHERE a.version < EXCLUDED.version""",
        application_id,
        _lower(c["email"]),
        c.get("name", ""),
        c.get("language"),
        removed,
        version,
        appearance,
    )


async def rebooking_offered(conn: Connection, event: CloudEvent) -> None:
    """Which application the offer copied its contact persons from."""
    await conn.execute(
        """INSERT INTO rebooking_offers (offer_id, application_id) VALUES ($1, $2)
           ON CONFLICT DO NOTHING""",
        event.data["offerId"],
        event.data["previousApplicationId"],
    )


async def event_scheduled(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO outreach_events
               (event_id, name, city, venue, starts_at, status, time_zone, version)
           VALUES ($1, $2, $3, $4, $5, 'SCHEDULED', $6, $7) ON CONFLICT (event_id) DO NOTHING""",
        d["eventId"],
        d["name"],
        d["city"],
        d["venue"],
        datetime.fromisoformat(d["startsAt"]),
        d.get("timeZone") or "UTC",
        event.stream_version,
    )


async def event_rescheduled(conn: Connection, event: CloudEvent) -> None:
    await conn.execute(
        """UPDATE outreach_events SET starts_at = $2, version = $3
           WHERE event_id = $1 AND version < $3""",
        event.data["eventId"],
        datetime.fromisoformat(event.data["startsAt"]),
        event.stream_version,
    )


async def organization(conn: Connection, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO organizations (organization_id, name, version) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id) DO UPDATE SET name = EXCLUDED.name,
             version = EXCLUDED.version
           WHERE organizations.version < EXCLUDED.version""",
        d["organizationId"],
        d["name"],
        event.stream_version,
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
    view = (await recipient_views(db, [address]))[address]
    view.language = language
    return view


async def recipient_views(
    db: "Connection | Pool", addresses: Collection[str]
) -> dict[str, RecipientView]:
    """`recipient_view` of each address (in English), in one statement."""
    rows = await db.fetch(
        """SELECT a.address, EXISTS (SELECT FROM opt_outs o WHERE o.address = a.address)
               AS opted_out, c.channel, c.purpose, c.granted_at, c.expires_at
           FROM unnest($1::text[]) AS a (address)
           LEFT JOIN (consents c JOIN recipients r ON r.contact_id = c.contact_id)
               ON r.email = a.address AND c.granted_at IS NOT NULL""",
        list(addresses),
    )
    views: dict[str, RecipientView] = {}
    for r in rows:
        view = views.setdefault(r["address"], RecipientView(r["address"], "en", r["opted_out"]))
        if r["channel"] is not None:
            grant = ConsentGrant(r["granted_at"], r["expires_at"])
            view.consents[(r["channel"], ConsentPurpose(r["purpose"]))] = grant
    return views


def _event_status(status: str) -> Apply:
    async def apply(conn: Connection, event: CloudEvent) -> None:
        await conn.execute(
            """UPDATE outreach_events SET status = $2, version = $3
               WHERE event_id = $1 AND version < $3""",
            event.data["eventId"],
            status,
            event.stream_version,
        )

    return apply


VIEWS: dict[str, Apply] = {
    READER.ce_type("outreach", "ContactRegistered"): contact,
    READER.ce_type("outreach", "ContactUpdated"): contact,
    READER.ce_type("outreach", "ContactForgotten"): contact_forgotten,
    READER.ce_type("outreach", "OrganizationRegistered"): organization,
    READER.ce_type("outreach", "OrganizationUpdated"): organization,
    READER.ce_type("outreach", "InterestCaptured"): interest_captured,
    READER.ce_type("outreach", "ConsentGranted"): consent_granted,
    READER.ce_type("outreach", "ConsentWithdrawn"): consent_withdrawn,
    READER.ce_type("outreach", "ContactInvited"): invited,
    READER.ce_type("outreach", "OutreachEventScheduled"): event_scheduled,
    READER.ce_type("outreach", "OutreachEventRescheduled"): event_rescheduled,
    READER.ce_type("outreach", "OutreachEventHeld"): _event_status("HELD"),
    READER.ce_type("outreach", "OutreachEventCancelled"): _event_status("CANCELLED"),
    READER.ce_type("exhibitors", "ApplicationSubmitted"): application_submitted,
    READER.ce_type("exhibitors", "ExhibitorProfileUpdated"): profile_updated,
    READER.ce_type("exhibitors", "ExhibitorContactAdded"): exhibitor_contact_added,
    READER.ce_type("exhibitors", "ExhibitorContactRemoved"): exhibitor_contact_removed,
    READER.ce_type("exhibitors", "ExhibitorContactForgotten"): exhibitor_contact_forgotten,
    READER.ce_type("exhibitors", "RebookingOffered"): rebooking_offered,
}
