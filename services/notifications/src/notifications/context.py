"""What a template is told: who writes and to whom, the triggering event's fields under
their template names, and the records the event names (application, outreach event,
interest) as the service's own views know them when the notification is recorded.
Times are shown in the venue's time zone."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pavilion_core.db import Connection
from pavilion_core.envelope import CloudEvent


@dataclass(frozen=True)
class Sender:
    """Who the mail is from, as every footer says."""

    name: str
    postal_address: str
    staff_domain: str  # owners named without a domain get <owner>@<staff_domain>


@dataclass(frozen=True)
class Addressee:
    address: str
    name: str
    language: str
    known: bool = True  # False: a contact with no address yet (`address` names the contact)


async def template_context(
    conn: Connection, sender: Sender, event: CloudEvent, to: Addressee, link: str | None
) -> dict[str, Any]:
    d = event.data
    context: dict[str, Any] = {
        "recipient_name": to.name,
        "sender": sender.name,
        "postal_address": sender.postal_address,
        "unsubscribe_url": link,
        **_fields(d),
    }
    if "applicationId" in d:
        context.update(await _application(conn, d["applicationId"]))
    if "eventId" in d:
        context.update(await _outreach_event(conn, d["eventId"]))
    if "interestId" in d:
        context.update(await _interest(conn, d["interestId"]))
    return context


async def _application(conn: Connection, application_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(
        "SELECT edition, company_name FROM applications WHERE application_id = $1",
        application_id,
    )
    if not row:
        return {}
    return {
        "company": row["company_name"],
        "edition_name": row["edition"],
        "application_id": application_id,
    }


async def _outreach_event(conn: Connection, event_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(
        "SELECT name, city, venue, starts_at, time_zone FROM outreach_events WHERE event_id = $1",
        event_id,
    )
    if not row:
        return {}
    return {
        "event_name": row["name"],
        "city": row["city"],
        "venue": row["venue"],
        "starts_at": _when(row["starts_at"], row["time_zone"]),
    }


async def _interest(conn: Connection, interest_id: str) -> dict[str, Any]:
    row = await conn.fetchrow(
        """SELECT i.kind, r.name AS contact_name, o.name AS organization_name
           FROM interests i LEFT JOIN recipients r ON r.contact_id = i.contact_id
           LEFT JOIN organizations o ON o.organization_id = i.organization_id
           WHERE i.interest_id = $1""",
        interest_id,
    )
    if not row:
        return {}
    return {
        "kind": row["kind"],
        "contact_name": row["contact_name"],
        "organization_name": row["organization_name"],
    }


def _fields(d: dict[str, Any]) -> dict[str, Any]:
    """Event fields templates use, under their template names."""
    out: dict[str, Any] = {}
    if "reason" in d:
        out["reason"] = d["reason"]
    if "boothCode" in d:
        out.update(booth_code=d["boothCode"], hall=d["hall"], size_sqm=d.get("sizeSqm"))
    if "amount" in d and "dueDate" in d:
        out.update(
            amount=f"{d['amount'] / 100:,.2f}", currency=d["currency"], due_date=d["dueDate"]
        )
    if "dueAt" in d:
        out["due_at"] = _when(datetime.fromisoformat(d["dueAt"]))
    if "offerId" in d and "deadline" in d:  # a re-booking offer
        out.update(
            company=d["companyName"],
            edition_name=d["editionName"],
            held_booth=d["heldBoothCode"],
            held_hall=d["heldHall"],
            deadline=_when(datetime.fromisoformat(d["deadline"])),
        )
    return out


def _when(moment: datetime, zone: str = "UTC") -> str:
    """`moment` as the clock on the wall shows it in `zone` (an IANA name), with the
    zone's abbreviation and city, e.g. 2026-05-12 18:00 EDT (Toronto); in UTC, just
    2026-05-12 22:00 UTC. Digits only: the same in every template's language."""
    local = moment.astimezone(ZoneInfo(zone))
    if zone == "UTC":
        return local.strftime("%Y-%m-%d %H:%M UTC")
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{local:%Y-%m-%d %H:%M %Z} ({city})"
