"""How exhibitors' events change the read model: the exhibitors table (one row per
application), the booths table (every booth of every hall), the waitlist table (the
applications on each edition's waitlist) and the editions table."""

from pavilion_core.envelope import CloudEvent

from gateway.enums import RebookingStatus
from gateway.exhibitors.forgetting import contact_forgotten
from gateway.rows import Apply, Writer, jsonb, timeline_only, typed, update


async def submitted(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO exhibitors (id, edition, company_name, country, status,
               supply_chain_areas, product_categories, contacts, organization_id,
               source_interest_id, previous_editions, version, submitted_at, updated_at,
               address)
           VALUES ($1, $2, $3, $4, 'SUBMITTED', $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $12,
                   $13::jsonb)
           ON CONFLICT (id) DO NOTHING""",
        d["applicationId"],
        d["edition"],
        d["companyName"],
        d["country"],
        list(d["supplyChainAreas"]),
        list(d["productCategories"]),
        jsonb(d["contacts"]),
        d.get("organizationId"),
        d.get("sourceInterestId"),
        d.get("previousEditions", 0),
        event.stream_version,
        event.time,
        jsonb(d["address"]),
    )


async def _update(conn: Writer, event: CloudEvent, assignments: str = "", *values: object) -> None:
    await update(conn, "exhibitors", event.data["applicationId"], event, assignments, *values)


def status(value: str) -> Apply:
    async def apply(conn: Writer, event: CloudEvent) -> None:
        await _update(conn, event, "status = $4", value)

    return apply


async def contract_issued(conn: Writer, event: CloudEvent) -> None:
    await _update(
        conn,
        event,
        "contract_amount = $4, currency = $5, contract_due_on = $6::text::date",
        event.data["amount"],
        event.data["currency"],
        event.data["dueDate"],
    )


async def payment_recorded(conn: Writer, event: CloudEvent) -> None:
    await _update(conn, event, "paid_amount = $4", event.data["paidTotal"])


async def booth_assigned(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await _update(
        conn,
        event,
        "booth_hall = $4, booth_code = $5, booth_size_sqm = $6",
        d["hall"],
        d["boothCode"],
        d["sizeSqm"],
    )


async def profile_updated(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await _update(
        conn,
        event,
        "company_name = $4, country = $5, website = $6, description = $7",
        d["companyName"],
        d["country"],
        d["website"],
        d["description"],
    )


async def contact_added(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    contact = {"name": d["name"], "email": d["email"], "phone": d["phone"], "language": None}
    await _update(
        conn, event, "contacts = contacts || jsonb_build_array($4::jsonb)", jsonb(contact)
    )


async def contact_removed(conn: Writer, event: CloudEvent) -> None:
    await _update(
        conn,
        event,
        """contacts = coalesce((SELECT jsonb_agg(c) FROM jsonb_array_elements(contacts) c
                                WHERE c->>'email' IS DISTINCT FROM $4), '[]'::jsonb)""",
        event.data["email"],
    )


async def areas_set(conn: Writer, event: CloudEvent) -> None:
    await _update(conn, event, "supply_chain_areas = $4", list(event.data["supplyChainAreas"]))


async def categories_set(conn: Writer, event: CloudEvent) -> None:
    await _update(conn, event, "product_categories = $4", list(event.data["productCategories"]))


# Booth events land on two streams: the application's (subject = its id) and the hall's
# floor plan (subject = floorplan:<edition>:<hall>); each changes its own table.


def _on_floor_plan(event: CloudEvent) -> bool:
    return event.subject.startswith("floorplan:")


async def booth_defined(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO booths (edition, hall, code, size_sqm, supply_chain_area, version)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING""",
        d["edition"],
        d["hall"],
        d["boothCode"],
        d["sizeSqm"],
        d["supplyChainArea"],
        event.stream_version,
    )


async def _set_booth(conn: Writer, event: CloudEvent, assignments: str, *values: object) -> None:
    """A change of a booth by its hall's floor plan (`values` are $5…)."""
    d = event.data
    await conn.execute(
        f"""UPDATE booths SET {assignments}, version = $4
            WHERE edition = $1 AND hall = $2 AND code = $3 AND version < $4""",
        d["edition"],
        d["hall"],
        d["boothCode"],
        event.stream_version,
        *values,
    )


async def booth_retired(conn: Writer, event: CloudEvent) -> None:
    """Off the floor plan: the row goes (its code may be defined again, in a new row)."""
    d = event.data
    await conn.execute(
        """DELETE FROM booths WHERE edition = $1 AND hall = $2 AND code = $3 AND version < $4""",
        d["edition"],
        d["hall"],
        d["boothCode"],
        event.stream_version,
    )


async def booth_allocated(conn: Writer, event: CloudEvent) -> None:
    await _set_booth(
        conn, event, "allocated_to = $5, offered_to = NULL", event.data["applicationId"]
    )


async def booth_offered(conn: Writer, event: CloudEvent) -> None:
    if _on_floor_plan(event):
        await _set_booth(conn, event, "offered_to = $5", event.data["applicationId"])
    else:
        await _update(conn, event)


async def booth_released(conn: Writer, event: CloudEvent) -> None:
    if _on_floor_plan(event):
        await _set_booth(conn, event, "allocated_to = NULL, offered_to = NULL")
        return
    held = "booth_hall = $4 AND booth_code = $5"
    await _update(
        conn,
        event,
        f"""booth_size_sqm = CASE WHEN {held} THEN NULL ELSE booth_size_sqm END,
            booth_hall = CASE WHEN {held} THEN NULL ELSE booth_hall END,
            booth_code = CASE WHEN {held} THEN NULL ELSE booth_code END""",
        event.data["hall"],
        event.data["boothCode"],
    )


# The waitlist's stream (subject = waitlist:<edition>) adds and removes its entries; an
# entry's arrival is the stream version that added it (its priority's last criterion).


async def waitlist_entry_added(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO waitlist (edition, application_id, previous_editions, booth_size_sqm,
                                 arrival)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (edition, application_id) DO UPDATE
           SET previous_editions = $3, booth_size_sqm = $4, arrival = $5
           WHERE waitlist.arrival < $5""",
        d["edition"],
        d["applicationId"],
        d["previousEditions"],
        d["boothSizeSqm"],
        event.stream_version,
    )


async def waitlist_entry_removed(conn: Writer, event: CloudEvent) -> None:
    await conn.execute(
        """DELETE FROM waitlist WHERE edition = $1 AND application_id = $2 AND arrival < $3""",
        event.data["edition"],
        event.data["applicationId"],
        event.stream_version,
    )


async def edition_created(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO editions (code, name, city, country, starts_on, ends_on, timezone,
               currency, supply_chain_areas, deposit_threshold_pct, opens_at,
               applications_open_at, applications_close_at, version)
           VALUES ($1, $2, $3, $4, $5::text::date, $6::text::date, $7, $8, $9, $10,
                   $11::text::timestamptz, $12::text::timestamptz, $13::text::timestamptz, $14)
           ON CONFLICT (code) DO NOTHING""",
        d["edition"],
        d["name"],
        d["city"],
        d["country"],
        d["startsOn"],
        d["endsOn"],
        d["timezone"],
        d["currency"],
        list(d["supplyChainAreas"]),
        d["depositThresholdPct"],
        d["opensAt"],
        d.get("applicationsOpenAt"),
        d["applicationsCloseAt"],
        event.stream_version,
    )


# A re-booking offer's row (subject = the offer's id). Its contact persons are not copied:
# they stay in its events (and the email sent to them), so there is nothing here to erase.


async def offered(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO rebooking_offers (id, edition, from_edition, previous_application_id,
               company_name, country, status, held_hall, held_booth_code, booth_size_sqm,
               deadline, offered_at, updated_at, version)
           VALUES ($1, $2, $3, $4, $5, $6, 'OFFERED', $7, $8, $9, $10::text::timestamptz,
                   $11, $11, $12)
           ON CONFLICT (id) DO NOTHING""",
        d["offerId"],
        d["edition"],
        d["fromEdition"],
        d["previousApplicationId"],
        d["companyName"],
        d["country"],
        d["heldHall"],
        d["heldBoothCode"],
        d["boothSizeSqm"],
        d["deadline"],
        event.time,
        event.stream_version,
    )


async def edition_window(conn: Writer, event: CloudEvent) -> None:
    """Applications opened or closed: the window as it now is."""
    d = event.data
    await conn.execute(
        """UPDATE editions SET applications_open_at = $2::text::timestamptz,
                  applications_close_at = $3::text::timestamptz, version = $4
           WHERE code = $1 AND version < $4""",
        d["edition"],
        d.get("applicationsOpenAt"),
        d["applicationsCloseAt"],
        event.stream_version,
    )


async def accepted(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await update(
        conn,
        "rebooking_offers",
        d["offerId"],
        event,
        "status = 'ACCEPTED', application_id = $4",
        d["applicationId"],
    )


def settled(status: RebookingStatus) -> Apply:
    async def apply(conn: Writer, event: CloudEvent) -> None:
        await update(conn, "rebooking_offers", event.data["offerId"], event, "status = $4", status)

    return apply


APPLIERS = typed(
    "exhibitors",
    {
        "ApplicationSubmitted": submitted,
        "ReviewStarted": status("UNDER_REVIEW"),
        "ApplicationApproved": status("APPROVED"),
        "ApplicationRejected": status("REJECTED"),
        "ApplicationWaitlisted": status("WAITLISTED"),
        "ContractIssued": contract_issued,
        "ContractSigned": status("CONTRACTED"),
        "PaymentRecorded": payment_recorded,
        "BoothAssigned": booth_assigned,
        "ParticipationConfirmed": status("CONFIRMED"),
        "ApplicationWithdrawn": status("WITHDRAWN"),
        "ApplicationCancelled": status("CANCELLED"),
        "ExhibitorProfileUpdated": profile_updated,
        "ExhibitorContactAdded": contact_added,
        "ExhibitorContactRemoved": contact_removed,
        "ExhibitorContactForgotten": contact_forgotten,
        "SupplyChainAreasSet": areas_set,
        "ProductCategoriesSet": categories_set,
        "BoothDefined": booth_defined,
        "BoothAllocated": booth_allocated,
        "BoothOffered": booth_offered,
        "BoothReleased": booth_released,
        "BoothRetired": booth_retired,
        "EditionCreated": edition_created,
        "EditionApplicationsOpened": edition_window,
        "EditionApplicationsClosed": edition_window,
        "EditionFloorPlanCopied": timeline_only,  # its booths come as BoothDefined
        "WaitlistEntryAdded": waitlist_entry_added,
        "WaitlistEntryRemoved": waitlist_entry_removed,
        "RebookingOffered": offered,
        "RebookingAccepted": accepted,
        "RebookingDeclined": settled(RebookingStatus.DECLINED),
        "RebookingExpired": settled(RebookingStatus.EXPIRED),
        "ConversionRefused": timeline_only,  # outreach's InterestConversionRefused shows it
    },
)
