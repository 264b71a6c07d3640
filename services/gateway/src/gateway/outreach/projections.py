"""How outreach's events change the read model: organizations, contacts and consents,
delegations, trips, outreach events and invitations, interests and follow-ups.
Notes and claims are kept in the timeline only."""

import json

from pavilion_core.envelope import CloudEvent

from gateway.outreach.forgetting import address_registry, contact_forgotten
from gateway.rows import Apply, Writer, timeline_only, typed, update


def _set(table: str, key: str, assignments: str, *fields: str) -> Apply:
    """An applier that copies `fields` of the event's data into `assignments` ($4…)."""

    async def apply(conn: Writer, event: CloudEvent) -> None:
        values = [event.data[f] for f in fields]
        await update(conn, table, event.data[key], event, assignments, *values)

    return apply


async def organization_registered(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO organizations (id, name, kind, country, website, version, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO NOTHING""",
        d["organizationId"],
        d["name"],
        d["kind"],
        d["country"],
        d.get("website"),
        event.stream_version,
        event.time,
    )


async def contact_registered(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO contacts (id, name, title, email, phone, country, language,
                                 organization_id, version, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (id) DO NOTHING""",
        d["contactId"],
        d["name"],
        d.get("title"),
        d["email"],
        d.get("phone"),
        d["country"],
        d["language"],
        d.get("organizationId"),
        event.stream_version,
        event.time,
    )


async def consent_granted(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO consents (contact_id, channel, purpose, legal_basis, evidence,
                                 granted_at, expires_at, version)
           VALUES ($1, $2, $3, $4, $5, $6::text::timestamptz, $7::text::timestamptz, $8)
           ON CONFLICT (contact_id, channel, purpose) DO UPDATE SET
             legal_basis = EXCLUDED.legal_basis, evidence = EXCLUDED.evidence,
             granted_at = EXCLUDED.granted_at, expires_at = EXCLUDED.expires_at,
             withdrawn_at = NULL, version = EXCLUDED.version
           WHERE consents.version < EXCLUDED.version""",
        d["contactId"],
        d["channel"],
        d["purpose"],
        d["legalBasis"],
        d["evidence"],
        d["grantedAt"],
        d.get("expiresAt"),
        event.stream_version,
    )


async def consent_withdrawn(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO consents (contact_id, channel, purpose, withdrawn_at, version)
           VALUES ($1, $2, $3, $4::text::timestamptz, $5)
           ON CONFLICT (contact_id, channel, purpose)
           DO UPDATE SET withdrawn_at = EXCLUDED.withdrawn_at, version = EXCLUDED.version
           WHERE consents.version < EXCLUDED.version""",
        d["contactId"],
        d["channel"],
        d["purpose"],
        d["withdrawnAt"],
        event.stream_version,
    )


async def delegation_formed(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO delegations (id, name, organizer, leader_id, purpose, version,
                                    formed_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
           ON CONFLICT (id) DO NOTHING""",
        d["delegationId"],
        d["name"],
        d["organizer"],
        d["leaderId"],
        d["purpose"],
        event.stream_version,
        event.time,
    )


async def trip_planned(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO trips (id, delegation_id, name, status, stops, version, updated_at)
           VALUES ($1, $2, $3, 'PLANNED', $4::jsonb, $5, $6)
           ON CONFLICT (id) DO NOTHING""",
        d["tripId"],
        d["delegationId"],
        d["name"],
        json.dumps(d["stops"]),
        event.stream_version,
        event.time,
    )


async def stop_added(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    stop = {k: d[k] for k in ("city", "country", "startsOn", "endsOn", "timeZone") if k in d}
    await update(
        conn,
        "trips",
        d["tripId"],
        event,
        "stops = stops || jsonb_build_array($4::jsonb)",
        json.dumps(stop),
    )


async def stop_rescheduled(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await update(
        conn,
        "trips",
        d["tripId"],
        event,
        """stops = jsonb_set(jsonb_set(stops, ARRAY[$4::text, 'startsOn'], to_jsonb($5::text)),
                             ARRAY[$4::text, 'endsOn'], to_jsonb($6::text))""",
        str(d["index"]),
        d["startsOn"],
        d["endsOn"],
    )


async def event_scheduled(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO outreach_events (id, trip_id, stop_index, name, kind, city, country,
               venue, starts_at, ends_at, capacity, status, version, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::text::timestamptz,
                   $10::text::timestamptz, $11, 'SCHEDULED', $12, $13)
           ON CONFLICT (id) DO NOTHING""",
        d["eventId"],
        d["tripId"],
        d["stopIndex"],
        d["name"],
        d["kind"],
        d["city"],
        d["country"],
        d.get("venue"),
        d["startsAt"],
        d["endsAt"],
        d.get("capacity"),
        event.stream_version,
        event.time,
    )


def invitation(assignments: str) -> Apply:
    """An invitation changes; so does its event's version."""

    async def apply(conn: Writer, event: CloudEvent) -> None:
        d = event.data
        await conn.execute(
            f"""UPDATE invitations SET {assignments}, version = $3
                WHERE event_id = $1 AND contact_id = $2 AND version < $3""",
            d["eventId"],
            d["contactId"],
            event.stream_version,
        )
        await update(conn, "outreach_events", d["eventId"], event, "")

    return apply


async def invited(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO invitations (event_id, contact_id, status, invited_at, version)
           VALUES ($1, $2, 'INVITED', $3, $4) ON CONFLICT DO NOTHING""",
        d["eventId"],
        d["contactId"],
        event.time,
        event.stream_version,
    )
    await update(conn, "outreach_events", d["eventId"], event, "")


async def interest_captured(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO interests (id, contact_id, organization_id, source_event_id, kind,
               edition, supply_chain_areas, product_categories, stage, version,
               captured_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'CAPTURED', $9, $10, $10)
           ON CONFLICT (id) DO NOTHING""",
        d["interestId"],
        d["contactId"],
        d.get("organizationId"),
        d.get("sourceEventId"),
        d["kind"],
        d["edition"],
        list(d["supplyChainAreas"]),
        list(d["productCategories"]),
        event.stream_version,
        event.time,
    )


async def interest_converted(conn: Writer, event: CloudEvent) -> None:
    """Converted now: a refusal of an earlier conversion no longer applies."""
    assignments = (
        "stage = 'CONVERTED', application_id = $4, converted_at = $5, "
        "refusal_code = NULL, refusal_reason = NULL"
    )
    data = event.data
    await update(
        conn, "interests", data["interestId"], event, assignments, data["applicationId"], event.time
    )


async def follow_up_scheduled(conn: Writer, event: CloudEvent) -> None:
    d = event.data
    await conn.execute(
        """INSERT INTO follow_ups (id, subject_id, owner, due_at, status, note, version,
                                   updated_at)
           VALUES ($1, $2, $3, $4::text::timestamptz, 'SCHEDULED', $5, $6, $7)
           ON CONFLICT (id) DO NOTHING""",
        d["followUpId"],
        d["subjectId"],
        d["owner"],
        d["dueAt"],
        d.get("note"),
        event.stream_version,
        event.time,
    )


_CONTACT_FIELDS = "name = $4, title = $5, email = $6, phone = $7, country = $8, language = $9"
_ORGANIZATION_FIELDS = "name = $4, kind = $5, country = $6, website = $7"

APPLIERS = typed(
    "outreach",
    {
        "OrganizationRegistered": organization_registered,
        "OrganizationUpdated": _set(
            "organizations",
            "organizationId",
            _ORGANIZATION_FIELDS,
            "name",
            "kind",
            "country",
            "website",
        ),
        "OrganizationMerged": _set(
            "organizations", "organizationId", "merged_into = $4", "mergedInto"
        ),
        "OrganizationAbsorbed": _set("organizations", "organizationId", ""),
        "ContactRegistered": contact_registered,
        "ContactUpdated": _set(
            "contacts",
            "contactId",
            _CONTACT_FIELDS,
            "name",
            "title",
            "email",
            "phone",
            "country",
            "language",
        ),
        "ContactLinkedToOrganization": _set(
            "contacts", "contactId", "organization_id = $4", "organizationId"
        ),
        "ContactMerged": _set("contacts", "contactId", "merged_into = $4", "mergedInto"),
        "ContactAbsorbed": _set("contacts", "contactId", ""),
        "ContactForgotten": contact_forgotten,
        "ContactEmailClaimed": address_registry,
        "ContactEmailReleased": address_registry,
        "ConsentGranted": consent_granted,
        "ConsentWithdrawn": consent_withdrawn,
        "DelegationFormed": delegation_formed,
        "DelegationMemberAdded": _set(
            "delegations",
            "delegationId",
            "member_ids = array_append(array_remove(member_ids, $4::uuid), $4::uuid)",
            "contactId",
        ),
        "DelegationMemberRemoved": _set(
            "delegations",
            "delegationId",
            "member_ids = array_remove(member_ids, $4::uuid)",
            "contactId",
        ),
        "TripPlanned": trip_planned,
        "TripStopAdded": stop_added,
        "TripStopRescheduled": stop_rescheduled,
        "TripStarted": _set("trips", "tripId", "status = 'IN_PROGRESS'"),
        "TripCompleted": _set("trips", "tripId", "status = 'COMPLETED'"),
        "TripCancelled": _set("trips", "tripId", "status = 'CANCELLED'"),
        "OutreachEventScheduled": event_scheduled,
        "OutreachEventRescheduled": _set(
            "outreach_events",
            "eventId",
            "starts_at = $4::text::timestamptz, ends_at = $5::text::timestamptz",
            "startsAt",
            "endsAt",
        ),
        "OutreachEventHeld": _set("outreach_events", "eventId", "status = 'HELD'"),
        "OutreachEventCancelled": _set("outreach_events", "eventId", "status = 'CANCELLED'"),
        "ContactInvited": invited,
        "RsvpAccepted": invitation("status = 'ACCEPTED'"),
        "RsvpDeclined": invitation("status = 'DECLINED'"),
        "AttendanceRecorded": invitation("attended = true"),
        "NoShowRecorded": invitation("attended = false"),
        "InterestCaptured": interest_captured,
        "InterestQualified": _set("interests", "interestId", "stage = 'QUALIFIED'"),
        "InterestNurturingStarted": _set("interests", "interestId", "stage = 'NURTURING'"),
        "InterestConverted": interest_converted,
        "InterestConversionRefused": _set(
            "interests",
            "interestId",
            "stage = 'QUALIFIED', refusal_code = $4, refusal_reason = $5",
            "code",
            "reason",
        ),
        "InterestApplicationLinked": _set(
            "interests", "interestId", "application_id = $4", "applicationId"
        ),
        "InterestLost": _set(
            "interests", "interestId", "stage = 'LOST', lost_reason = $4", "reason"
        ),
        "InterestOwnerAssigned": _set("interests", "interestId", "owner = $4", "owner"),
        "NoteAdded": timeline_only,
        "FollowUpScheduled": follow_up_scheduled,
        "FollowUpRescheduled": _set(
            "follow_ups", "followUpId", "due_at = $4::text::timestamptz, overdue = false", "dueAt"
        ),
        "FollowUpBecameOverdue": _set("follow_ups", "followUpId", "overdue = true"),
        "FollowUpCompleted": _set(
            "follow_ups", "followUpId", "status = 'COMPLETED', outcome = $4", "outcome"
        ),
        "FollowUpCancelled": _set("follow_ups", "followUpId", "status = 'CANCELLED'"),
    },
)
