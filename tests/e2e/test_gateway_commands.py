"""The mutations that reach the rest of the services' commands, end to end: through the
gateway and the running services, each with its effect shown by the read model and a
typed refusal from the service it reaches (one stack, several mutations per test)."""

import asyncio
import base64
import uuid
from typing import Any
from urllib.parse import urlsplit

import httpx
from gateway.auth import Role

from tests.e2e.stack import Stack, token
from tests.e2e.test_gateway import EDITION, mutate, submit
from tests.support import eventually

ERRORS = "userErrors { field code message }"
TIMELINE = "timeline(first: 20) { edges { node { type } } }"


# `stack`: the package's (tests/e2e/conftest.py)


def _codes(payload: dict[str, Any]) -> list[str]:
    return [error["code"] for error in payload["userErrors"]]


async def _ok(stack: Stack, name: str, input: dict[str, Any], fields: str) -> dict[str, Any]:
    payload = await mutate(stack, name, input, fields=f"{fields} {ERRORS}")
    assert payload["userErrors"] == [], (name, payload)
    return payload


async def _refused(stack: Stack, name: str, input: dict[str, Any], code: str, **as_: str) -> None:
    payload = await mutate(stack, name, input, fields=ERRORS, **as_)
    assert _codes(payload) == [code], (name, payload)


async def _organization(stack: Stack, name: str) -> str:
    input = {"name": name, "kind": "COMPANY", "country": "CA"}
    payload = await _ok(stack, "registerOrganization", input, "organization { id }")
    return str(payload["organization"]["id"])


async def _contact(stack: Stack, name: str, **extra: Any) -> str:
    email = f"{name.split()[0].lower()}.{uuid.uuid4().hex[:6]}@maple.example"
    input = {"name": name, "email": email, "country": "CA", **extra}
    return str((await _ok(stack, "registerContact", input, "contact { id }"))["contact"]["id"])


async def test_an_exhibitor_edits_its_own_application_and_staff_cancel_only_when_overdue(
    stack: Stack,
):
    app = (await submit(stack, "Maple Axles", country="CA"))["exhibitor"]["id"]
    own = token(Role.EXHIBITOR, _local(app), subject="exhibitor:maple")
    fields = (
        "exhibitor { companyName country supplyChainAreas productCategories contacts { email } }"
    )
    profile = await mutate(
        stack,
        "updateExhibitorProfile",
        {
            "applicationId": app,
            "companyName": "Maple Axles Inc.",
            "website": "https://maple.example",
        },
        as_=own,
        fields=f"{fields} {ERRORS}",
    )
    assert profile["userErrors"] == [] and profile["exhibitor"]["companyName"] == "Maple Axles Inc."
    added = await _ok(
        stack,
        "addExhibitorContact",
        {"applicationId": app, "name": "Bo Chen", "email": "Bo@Maple.example"},
        fields,
    )
    assert "bo@maple.example" in [c["email"] for c in added["exhibitor"]["contacts"]]
    removed = await _ok(
        stack, "removeExhibitorContact", {"applicationId": app, "email": "bo@maple.example"}, fields
    )
    assert "bo@maple.example" not in [c["email"] for c in removed["exhibitor"]["contacts"]]
    await _refused(
        stack,
        "removeExhibitorContact",
        {"applicationId": app, "email": "nobody@maple.example"},
        "NOT_FOUND",
    )
    areas = {"applicationId": app, "supplyChainAreas": ["CLEAN_ENERGY", "SMART_VEHICLES"]}
    shown = await _ok(stack, "setSupplyChainAreas", areas, fields)
    assert shown["exhibitor"]["supplyChainAreas"] == ["CLEAN_ENERGY", "SMART_VEHICLES"]
    await _refused(stack, "setSupplyChainAreas", {**areas, "supplyChainAreas": []}, "VALIDATION")
    categories = {"applicationId": app, "productCategories": ["axles", "bearings"]}
    shown = await _ok(stack, "setProductCategories", categories, fields)
    assert shown["exhibitor"]["productCategories"] == ["axles", "bearings"]
    # someone else's application, and a staff-only command on its own: FORBIDDEN
    other = (await submit(stack, "Other Gears"))["exhibitor"]["id"]
    await _refused(
        stack, "setProductCategories", {**categories, "applicationId": other}, "FORBIDDEN", as_=own
    )
    await _refused(
        stack, "cancelApplication", {"applicationId": app, "reason": "unpaid"}, "FORBIDDEN", as_=own
    )
    for step in ("startReview", "approveApplication"):
        await _ok(stack, step, {"applicationId": app}, "exhibitor { status }")
    contract = {
        "applicationId": app,
        "amount": "80000.00",
        "currency": "CNY",
        "dueDate": "2026-03-31",
    }
    await _ok(stack, "issueContract", contract, "exhibitor { status }")
    # the contract is not overdue: a non-payment cancellation is refused, nothing changes
    await _refused(
        stack, "cancelApplication", {"applicationId": app, "reason": "unpaid"}, "INVALID_TRANSITION"
    )


async def _free_booths(stack: Stack) -> int:
    query = "query($e: String!) { editionDashboard(edition: $e) { boothsFree } }"
    return int((await stack.data(query, e=EDITION))["editionDashboard"]["boothsFree"])


async def test_a_booth_defined_by_mistake_is_retired_and_leaves_the_floor_plan(stack: Stack):
    before = await _free_booths(stack)
    booth = {"edition": EDITION, "hall": "R1", "boothCode": "R1-01"}
    define = {**booth, "sizeSqm": 18, "supplyChainArea": "SMART_VEHICLES"}
    await _ok(stack, "defineBooth", define, "booth { code }")
    await eventually(lambda: _is(stack, before + 1), what="the booth on the floor plan")
    exhibitor = token(Role.EXHIBITOR, str(uuid.uuid4()), subject="exhibitor:someone")
    await _refused(stack, "retireBooth", booth, "FORBIDDEN", as_=exhibitor)
    await _refused(stack, "retireBooth", {**booth, "boothCode": "R1-99"}, "NOT_FOUND")

    retired = await _ok(stack, "retireBooth", booth, "version consistencyToken")

    assert retired["version"] == 2 and retired["consistencyToken"]
    await eventually(lambda: _is(stack, before), what="the booth gone from the floor plan")
    await _refused(stack, "retireBooth", booth, "NOT_FOUND")  # once only


async def _is(stack: Stack, free: int) -> bool:
    return await _free_booths(stack) == free


async def test_organizations_and_contacts_are_updated_linked_merged_and_noted(stack: Stack):
    maple, duplicate = (
        await _organization(stack, "Maple Trade"),
        await _organization(stack, "Maple Trade Ltd"),
    )
    updated = await _ok(
        stack,
        "updateOrganization",
        {"organizationId": maple, "website": "https://mapletrade.example", "kind": "CHAMBER"},
        "organization { website kind }",
    )
    assert updated["organization"] == {"website": "https://mapletrade.example", "kind": "CHAMBER"}
    merged = await _ok(
        stack,
        "mergeOrganizations",
        {"organizationId": duplicate, "survivorId": maple},
        "organization { mergedIntoId }",
    )
    assert merged["organization"]["mergedIntoId"] == maple
    await _refused(
        stack, "updateOrganization", {"organizationId": duplicate, "name": "X"}, "MERGED"
    )
    jane, twin = await _contact(stack, "Jane Roy"), await _contact(stack, "Jane R.")
    changed = await _ok(
        stack,
        "updateContact",
        {"contactId": jane, "title": "Trade commissioner"},
        "contact { title }",
    )
    assert changed["contact"]["title"] == "Trade commissioner"
    await _refused(
        stack, "updateContact", {"contactId": jane, "email": "not-an-email"}, "VALIDATION"
    )
    linked = await _ok(
        stack,
        "linkContact",
        {"contactId": jane, "organizationId": maple},
        "contact { organization { id } }",
    )
    assert linked["contact"]["organization"]["id"] == maple
    merged = await _ok(
        stack, "mergeContacts", {"contactId": twin, "survivorId": jane}, "contact { mergedIntoId }"
    )
    assert merged["contact"]["mergedIntoId"] == jane
    await _refused(stack, "mergeContacts", {"contactId": twin, "survivorId": jane}, "MERGED")
    for record in (maple, jane):
        noted = await _ok(
            stack,
            "addNote",
            {"recordId": record, "text": "met at the Toronto forum"},
            f"record {{ id ... on Organization {{ {TIMELINE} }} ... on Contact {{ {TIMELINE} }} }}",
        )
        assert noted["record"]["id"] == record
        assert "NoteAdded" in [e["node"]["type"] for e in noted["record"]["timeline"]["edges"]]
    await _refused(stack, "addNote", {"recordId": duplicate, "text": "too late"}, "MERGED")


async def test_delegations_trips_events_interests_and_follow_ups_move_on(stack: Stack):
    organization = await _organization(stack, "Great Lakes Ports")
    leader = await _contact(stack, "Lee Wong")
    member = await _contact(stack, "Mia Park", organizationId=organization)
    delegation = (
        await _ok(
            stack,
            "formDelegation",
            {"name": "Winter", "organizer": "CCPIT", "leaderId": leader, "purpose": "recruit"},
            "delegation { id }",
        )
    )["delegation"]["id"]
    pair = {"delegationId": delegation, "contactId": member}
    added = await _ok(stack, "addDelegationMember", pair, "delegation { members { id } }")
    assert added["delegation"]["members"] == [{"id": member}]
    await _refused(stack, "addDelegationMember", pair, "DUPLICATE")
    removed = await _ok(stack, "removeDelegationMember", pair, "delegation { members { id } }")
    assert removed["delegation"]["members"] == []
    await _refused(stack, "removeDelegationMember", pair, "NOT_FOUND")

    toronto = {
        "city": "Toronto",
        "country": "CA",
        "startsOn": "2025-11-30",
        "endsOn": "2025-12-02",
        "timeZone": "America/Toronto",
    }
    trip = (
        await _ok(
            stack,
            "planTrip",
            {"delegationId": delegation, "name": "Canada", "stops": [toronto]},
            "trip { id }",
        )
    )["trip"]["id"]
    oakland = {"city": "Oakland", "country": "US", "startsOn": "2025-12-05", "endsOn": "2025-12-05"}
    stops = await _ok(stack, "addTripStop", {"tripId": trip, **oakland}, "trip { stops { city } }")
    assert [s["city"] for s in stops["trip"]["stops"]] == ["Toronto", "Oakland"]
    moved = {"tripId": trip, "stopIndex": 1, "startsOn": "2025-12-06", "endsOn": "2025-12-07"}
    shown = await _ok(stack, "rescheduleTripStop", moved, "trip { stops { startsOn endsOn } }")
    assert shown["trip"]["stops"][1] == {"startsOn": "2025-12-06", "endsOn": "2025-12-07"}
    await _refused(stack, "rescheduleTripStop", {**moved, "stopIndex": 7}, "VALIDATION")

    event = {"tripId": trip, "stopIndex": 0, "kind": "FORUM"}
    forum = await _event(
        stack,
        {
            **event,
            "name": "Forum",
            "startsAt": "2025-12-01T13:00:00Z",
            "endsAt": "2025-12-01T15:00:00Z",
        },
    )
    lunch = await _event(
        stack,
        {
            **event,
            "name": "Lunch",
            "startsAt": "2025-12-02T16:00:00Z",
            "endsAt": "2025-12-02T17:00:00Z",
        },
    )
    later = {"eventId": lunch, "startsAt": "2025-12-02T17:00:00Z", "endsAt": "2025-12-02T18:00:00Z"}
    shown = await _ok(stack, "rescheduleOutreachEvent", later, "outreachEvent { startsAt }")
    assert shown["outreachEvent"]["startsAt"].startswith("2025-12-02T17:00:00")
    await _refused(
        stack,
        "rescheduleOutreachEvent",
        {**later, "startsAt": "2025-12-09T17:00:00Z"},
        "VALIDATION",
    )
    # an event is recorded as held once it has started (the clock reads 1 Dec 09:00 UTC on)
    breakfast = await _event(
        stack,
        {
            **event,
            "name": "Breakfast",
            "startsAt": "2025-11-30T14:00:00Z",
            "endsAt": "2025-11-30T15:00:00Z",
        },
    )
    held = await _ok(stack, "holdOutreachEvent", {"eventId": breakfast}, "outreachEvent { status }")
    assert held["outreachEvent"]["status"] == "HELD"
    await _refused(stack, "holdOutreachEvent", {"eventId": forum}, "INVALID_TRANSITION")
    cancelled = await _ok(
        stack,
        "cancelOutreachEvent",
        {"eventId": lunch, "reason": "venue closed"},
        "outreachEvent { status }",
    )
    assert cancelled["outreachEvent"]["status"] == "CANCELLED"
    await _refused(
        stack, "cancelOutreachEvent", {"eventId": lunch, "reason": "twice"}, "INVALID_TRANSITION"
    )

    started = await _ok(stack, "startTrip", {"tripId": trip}, "trip { status }")
    assert started["trip"]["status"] == "IN_PROGRESS"
    await _refused(stack, "startTrip", {"tripId": trip}, "INVALID_TRANSITION")
    completed = await _ok(stack, "completeTrip", {"tripId": trip}, "trip { status }")
    assert completed["trip"]["status"] == "COMPLETED"
    await _refused(stack, "cancelTrip", {"tripId": trip, "reason": "late"}, "INVALID_TRANSITION")
    spare = (
        await _ok(
            stack,
            "planTrip",
            {"delegationId": delegation, "name": "Spare", "stops": [toronto]},
            "trip { id }",
        )
    )["trip"]["id"]
    assert (
        await _ok(stack, "cancelTrip", {"tripId": spare, "reason": "budget"}, "trip { status }")
    )["trip"]["status"] == "CANCELLED"

    await _leads(stack, member, forum)


async def _event(stack: Stack, input: dict[str, Any]) -> str:
    return str(
        (await _ok(stack, "scheduleOutreachEvent", input, "outreachEvent { id }"))["outreachEvent"][
            "id"
        ]
    )


async def _leads(stack: Stack, contact: str, event: str) -> None:
    interest = (
        await _ok(
            stack,
            "captureInterest",
            {
                "contactId": contact,
                "kind": "VISIT",
                "edition": "CISCE-2026",
                "sourceEventId": event,
            },
            "interest { id }",
        )
    )["interest"]["id"]
    await _refused(stack, "nurtureInterest", {"interestId": interest}, "INVALID_TRANSITION")
    await _ok(stack, "qualifyInterest", {"interestId": interest}, "interest { stage }")
    nurtured = await _ok(stack, "nurtureInterest", {"interestId": interest}, "interest { stage }")
    assert nurtured["interest"]["stage"] == "NURTURING"
    owned = await _ok(
        stack,
        "assignInterestOwner",
        {"interestId": interest, "owner": "staff:mei"},
        "interest { owner }",
    )
    assert owned["interest"]["owner"] == "staff:mei"
    await _refused(
        stack, "assignInterestOwner", {"interestId": interest, "owner": ""}, "VALIDATION"
    )
    follow_up = (
        await _ok(
            stack,
            "scheduleFollowUp",
            {"subjectId": interest, "owner": "staff:mei", "dueAt": "2025-12-10T09:00:00Z"},
            "followUp { id }",
        )
    )["followUp"]["id"]
    due = {"followUpId": follow_up, "dueAt": "2025-12-12T09:00:00Z"}
    moved = await _ok(stack, "rescheduleFollowUp", due, "followUp { dueAt }")
    assert moved["followUp"]["dueAt"].startswith("2025-12-12T09:00:00")
    cancelled = await _ok(
        stack,
        "cancelFollowUp",
        {"followUpId": follow_up, "reason": "met already"},
        "followUp { status }",
    )
    assert cancelled["followUp"]["status"] == "CANCELLED"
    await _refused(stack, "rescheduleFollowUp", due, "INVALID_TRANSITION")


async def test_an_admin_lifts_an_opt_out_and_no_one_else_may(stack: Stack):
    input = {"address": "someone@maple.example", "evidence": "asked by phone, 1 Dec"}
    payload = await mutate(stack, "optInRecipient", input, fields=f"optedIn {ERRORS}")
    assert payload == {"optedIn": False, "userErrors": []}  # there was no opt-out to lift
    await _refused(stack, "optInRecipient", {**input, "address": "not-an-address"}, "VALIDATION")
    await _refused(stack, "optInRecipient", input, "FORBIDDEN", as_=token(Role.ORGANIZER))


def _local(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id).decode().split(":", 1)[1]


EDITION_FIELDS = "code acceptingApplications applicationsOpenAt applicationsCloseAt"


async def _edition(stack: Stack, code: str) -> dict[str, Any] | None:
    query = f"query($c: String!) {{ edition(code: $c) {{ {EDITION_FIELDS} }} }}"
    return (await stack.data(query, c=code))["edition"]  # type: ignore[no-any-return]


async def _accepting(stack: Stack, code: str, accepting: bool) -> bool:
    shown = await _edition(stack, code)
    return shown is not None and shown["acceptingApplications"] is accepting


async def _apply(stack: Stack, code: str, name: str) -> dict[str, Any]:
    input = {"edition": code, "companyName": name, "country": "CA",
             "supplyChainAreas": ["SMART_VEHICLES"]}  # fmt: skip
    return await mutate(stack, "submitExhibitorApplication", input, fields=f"version {ERRORS}")


async def test_staff_create_an_edition_whose_applications_are_taken_only_while_open(
    stack: Stack,
):
    code = f"E2E-{uuid.uuid4().hex[:8].upper()}"
    edition = {
        "code": code,
        "name": "The tests' expo",
        "city": "Toronto",
        "country": "CA",
        "startsOn": "2027-06-21",
        "endsOn": "2027-06-23",
        "timezone": "America/Toronto",
        "currency": "CAD",
        "supplyChainAreas": ["SMART_VEHICLES"],
        "depositThresholdPct": 30,
        "opensAt": "2027-06-21T09:00:00-04:00",
        "applicationsOpenAt": "2026-09-01T00:00:00-04:00",
    }  # the stack's clock starts in December 2025: before applications open
    create = f"mutation($i: CreateEditionInput!) {{ createEdition(input: $i) {{ {ERRORS} }} }}"
    async with httpx.AsyncClient(timeout=30) as http:
        sent = {"query": create, "variables": {"i": edition}}
        anonymous = await http.post(stack.graphql, json=sent)
    assert anonymous.status_code == 401
    exhibitor = token(Role.EXHIBITOR, str(uuid.uuid4()), subject="exhibitor:someone")
    await _refused(stack, "createEdition", edition, "FORBIDDEN", as_=exhibitor)
    await _refused(stack, "createEdition", edition, "FORBIDDEN", as_=token(Role.VIEWER))
    assert await _edition(stack, code) is None

    organizer = token(Role.ORGANIZER, subject="staff:li")
    fields = f"version {ERRORS}"
    created = await mutate(stack, "createEdition", edition, as_=organizer, fields=fields)
    assert created == {"version": 1, "userErrors": []}
    await eventually(lambda: _accepting(stack, code, False), what="the edition, not yet open")
    assert _codes(await _apply(stack, code, "Too Early Ltd")) == ["INVALID_TRANSITION"]

    await _ok(stack, "openEditionApplications", {"edition": code}, "version")
    assert _codes(await _apply(stack, code, "Early Bird Ltd")) == []
    await eventually(lambda: _accepting(stack, code, True), what="its applications open")
    await _ok(stack, "closeEditionApplications", {"edition": code}, "version")
    assert _codes(await _apply(stack, code, "Late Ltd")) == ["INVALID_TRANSITION"]
    await eventually(lambda: _accepting(stack, code, False), what="its applications closed")
    await _refused(stack, "openEditionApplications", {"edition": "NOPE-1"}, "NOT_FOUND")


async def test_an_idle_connection_stays_open_longer_than_a_client_keeps_it(stack: Stack):
    """A client keeps an idle connection for a few seconds (httpx: 5) and then sends its
    next request on it. Were the server to close it then, the request would be lost (the
    gateway's command failed as UNAVAILABLE, in a CI run): every API keeps it longer."""
    kept = httpx.Limits().keepalive_expiry or 0
    services = ["gateway", "exhibitors", "outreach", "notifications"]
    closed = await asyncio.gather(*(_closed_within(stack.urls[s], kept + 1) for s in services))
    assert not any(closed), dict(zip(services, closed, strict=True))


async def _closed_within(base: str, seconds: float) -> bool:
    """Whether the server closes a connection left idle after one request within `seconds`."""
    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(f"GET /healthz HTTP/1.1\r\nhost: {url.netloc}\r\n\r\n".encode())
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), head
        length = next(
            int(line.split(b":")[1])
            for line in head.lower().split(b"\r\n")
            if line.startswith(b"content-length:")
        )
        await reader.readexactly(length)
        try:
            return await asyncio.wait_for(reader.read(1), timeout=seconds) == b""
        except TimeoutError:
            return False
    finally:
        writer.close()
