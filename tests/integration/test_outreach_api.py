"""The outreach command API over HTTP on real PostgreSQL: every error path with its
code and status, merges that keep both histories and redirect, consent as seen now."""

from typing import Any

import httpx
import pytest

from tests.support import ok, refused


@pytest.fixture
def api(outreach_api: httpx.AsyncClient) -> httpx.AsyncClient:
    return outreach_api


async def contact(api: httpx.AsyncClient, email: str, **extra: Any) -> str:
    body = {"name": "Amélie Tremblay", "email": email, "country": "CA", "language": "fr", **extra}
    return str((await ok(await api.post("/contacts", json=body), 201))["id"])


async def test_a_contact_is_normalised_and_unique_by_email(api: httpx.AsyncClient):
    first = await contact(api, "Amelie@Example.CA", phone="(416) 555-0123")
    state = await ok(await api.get(f"/contacts/{first}"))
    assert (state["email"], state["phone"]) == ("amelie@example.ca", "+14165550123")

    error = refused(
        await api.post(
            "/contacts", json={"name": "A. Tremblay", "email": "AMELIE@example.ca", "country": "CA"}
        ),
        409,
        "DUPLICATE",
    )
    assert first in error["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"country": "Canada"}, "country"),
        ({"language": "French"}, "language"),
        ({"name": ""}, "name"),
    ],
)
async def test_invalid_contacts_are_validation_errors(api: httpx.AsyncClient, body, field):
    valid = {"name": "X", "email": "x@example.com", "country": "CA"}
    error = refused(await api.post("/contacts", json={**valid, **body}), 422, "VALIDATION")
    assert any(field in f["field"] or f["field"] == [] for f in error["fields"]), error


async def test_merging_keeps_both_histories_under_the_survivor_and_redirects(api):
    survivor = await contact(api, "a.tremblay@maple.example")
    twin = await contact(api, "amelie@maple.example")
    await ok(await api.post(f"/contacts/{twin}/notes", json={"text": "Met at the forum"}))
    await ok(await api.post(f"/contacts/{survivor}/update", json={"title": "CEO"}))

    await ok(await api.post(f"/contacts/{twin}/merge", json={"survivorId": survivor}))

    history = await ok(await api.get(f"/contacts/{survivor}/history"))
    assert {e["contactId"] for e in history} == {survivor, twin}
    assert [e["type"] for e in history if e["contactId"] == twin] == [
        "ContactRegistered",
        "NoteAdded",
        "ContactMerged",
    ]
    assert (await ok(await api.get(f"/contacts/{twin}")))["mergedInto"] == survivor
    error = refused(
        await api.post(f"/contacts/{twin}/update", json={"title": "CTO"}), 409, "MERGED"
    )
    assert survivor in error["message"]
    error = refused(
        await api.post(
            "/contacts", json={"name": "Again", "email": "amelie@maple.example", "country": "CA"}
        ),
        409,
        "DUPLICATE",
    )
    assert survivor in error["message"]


async def test_consent_as_seen_now_and_its_refusals(api: httpx.AsyncClient):
    jane = await contact(api, "jane@consent.example")
    refused(
        await api.post(
            f"/contacts/{jane}/consents",
            json={
                "channel": "EMAIL",
                "purpose": "MARKETING",
                "legalBasis": "IMPLIED",
                "evidence": "inquiry",
            },
        ),
        422,
        "VALIDATION",
    )
    await ok(
        await api.post(
            f"/contacts/{jane}/consents",
            json={
                "channel": "EMAIL",
                "purpose": "MARKETING",
                "legalBasis": "IMPLIED",
                "evidence": "inquiry by email",
                "impliedBy": "INQUIRY",
                "impliedSince": "2025-11-01",
            },
        )
    )
    [consent] = (await ok(await api.get(f"/contacts/{jane}")))["consents"]
    assert consent["valid"] and consent["expiresAt"].startswith("2026-05-02")
    await ok(
        await api.post(
            f"/contacts/{jane}/consents/withdraw",
            json={"channel": "EMAIL", "purpose": "MARKETING", "reason": "unsubscribe link"},
        )
    )
    assert (await ok(await api.get(f"/contacts/{jane}")))["consents"] == []
    refused(
        await api.post(
            f"/contacts/{jane}/consents/withdraw",
            json={"channel": "EMAIL", "purpose": "MARKETING", "reason": "again"},
        ),
        409,
        "INVALID_TRANSITION",
    )


async def test_the_other_error_paths(api: httpx.AsyncClient):
    missing = "00000000-0000-0000-0000-000000000001"
    refused(await api.get(f"/contacts/{missing}"), 404, "NOT_FOUND")
    refused(
        await api.post(f"/contacts/{missing}/link", json={"organizationId": missing}),
        404,
        "NOT_FOUND",
    )
    leader = await contact(api, "leader@ccpit.example")
    delegation = (
        await ok(
            await api.post(
                "/delegations",
                json={
                    "name": "CCPIT North America",
                    "organizer": "CCPIT",
                    "leaderId": leader,
                    "purpose": "recruit exhibitors",
                },
            ),
            201,
        )
    )["id"]
    refused(
        await api.post(
            "/trips",
            json={
                "delegationId": delegation,
                "name": "T",
                "stops": [
                    {
                        "city": "Toronto",
                        "country": "CA",
                        "startsOn": "2025-12-02",
                        "endsOn": "2025-11-30",
                    }
                ],
            },
        ),
        422,
        "VALIDATION",
    )
    for zone in ("Mars/Olympus_Mons", "../../etc/passwd", ""):
        stop = {"city": "Toronto", "country": "CA", "startsOn": "2025-11-30",
                "endsOn": "2025-12-02", "timeZone": zone}  # fmt: skip
        bad_zone = await api.post("/trips", json={"delegationId": delegation, "name": "T",
                                                  "stops": [stop]})  # fmt: skip
        refused(bad_zone, 422, "VALIDATION")
    trip = (
        await ok(
            await api.post(
                "/trips",
                json={
                    "delegationId": delegation,
                    "name": "T",
                    "stops": [
                        {
                            "city": "Toronto",
                            "country": "CA",
                            "startsOn": "2025-11-30",
                            "endsOn": "2025-12-02",
                            "timeZone": "America/Toronto",
                        }
                    ],
                },
            ),
            201,
        )
    )["id"]
    event = (
        await ok(
            await api.post(
                "/events",
                json={
                    "tripId": trip,
                    "stopIndex": 0,
                    "name": "Forum",
                    "kind": "FORUM",
                    "startsAt": "2025-11-30T14:00:00-05:00",
                    "endsAt": "2025-11-30T18:00:00-05:00",
                },
            ),
            201,
        )
    )["id"]
    refused(
        await api.post(
            "/events",
            json={
                "tripId": trip,
                "stopIndex": 0,
                "name": "Naive",
                "kind": "FORUM",
                "startsAt": "2025-11-30T14:00:00",
                "endsAt": "2025-11-30T18:00:00",
            },
        ),
        422,
        "VALIDATION",
    )
    guest = await contact(api, "guest@example.ca")
    await ok(await api.post(f"/events/{event}/invitations", json={"contactId": guest}))
    refused(
        await api.post(f"/events/{event}/attendance", json={"contactId": guest, "attended": True}),
        409,
        "INVALID_TRANSITION",
    )
    refused(
        await api.post(
            f"/events/{event}/rsvp", json={"contactId": guest, "accept": True, "expectedVersion": 1}
        ),
        409,
        "CONFLICT",
    )
    await ok(await api.post(f"/events/{event}/cancel", json={"reason": "storm"}))
    error = refused(
        await api.post(f"/events/{event}/rsvp", json={"contactId": guest, "accept": True}),
        409,
        "INVALID_TRANSITION",
    )
    assert "CANCELLED" in error["message"]
    refused(
        await api.post(
            "/follow-ups", json={"subjectId": guest, "owner": "li", "dueAt": "2025-12-01T09:00:00"}
        ),
        422,
        "VALIDATION",
    )


async def test_text_with_a_nul_character_is_a_validation_error(api: httpx.AsyncClient):
    """Found by the fuzzer: PostgreSQL cannot store NUL in text or JSON."""
    jane = await contact(api, "nul@example.ca")
    error = refused(
        await api.post(f"/contacts/{jane}/notes", json={"text": "a\u0000b"}), 422, "VALIDATION"
    )
    assert "NUL" in error["fields"][0]["message"]


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"])
async def test_a_moment_that_is_not_one_in_utc_is_a_validation_error(
    api: httpx.AsyncClient, moment: str
):
    """Found by the GraphQL fuzzer: its conversion to UTC overflowed (a 500)."""
    jane = await contact(api, f"utc.{moment[:4]}@example.ca")
    follow_up = {"subjectId": jane, "owner": "li", "dueAt": moment}
    error = refused(await api.post("/follow-ups", json=follow_up), 422, "VALIDATION")
    assert error["fields"][0]["field"] == ["dueAt"], error


async def test_consent_implied_since_the_calendars_last_day_is_a_validation_error(
    api: httpx.AsyncClient,
):
    """Found by the GraphQL fuzzer: its CASL expiry, two years on, overflowed (a 500)."""
    jane = await contact(api, "last.day@example.ca")
    consent = {
        "channel": "EMAIL",
        "purpose": "MARKETING",
        "legalBasis": "IMPLIED",
        "evidence": "a business relationship",
        "impliedBy": "BUSINESS_RELATIONSHIP",
        "impliedSince": "9999-12-31",
    }
    error = refused(await api.post(f"/contacts/{jane}/consents", json=consent), 422, "VALIDATION")
    assert error["fields"][0]["field"] == ["impliedSince"], error


async def test_a_forgotten_contact_is_shown_without_personal_data_and_refuses_changes(api):
    jane = await contact(api, "jane.forget@maple.example", title="CEO")
    for _ in range(2):  # twice: the same answer, nothing more appended
        forgotten = await ok(await api.post(f"/contacts/{jane}/forget", json={}))
        assert forgotten["version"] == 2
    state = await ok(await api.get(f"/contacts/{jane}"))
    assert state["forgotten"] is True
    assert [state[k] for k in ("name", "title", "email", "phone")] == [None] * 4
    refused(await api.post(f"/contacts/{jane}/update", json={"title": "CTO"}), 410, "FORGOTTEN")
    refused(await api.post(f"/contacts/{jane}/notes", json={"text": "x"}), 410, "FORGOTTEN")
    await contact(api, "jane.forget@maple.example")  # the address is free again
