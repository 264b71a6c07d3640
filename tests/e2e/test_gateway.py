# ruff: noqa: E501  (GraphQL documents read best on one line)
"""The gateway end to end: GraphQL over HTTP (and graphql-transport-ws) against the
running exhibitors, outreach and gateway processes, Kafka and PostgreSQL."""

import asyncio
import base64
import json
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from gateway.auth import Role
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport

from tests.e2e.stack import JWT_SECRET, Stack, token
from tests.support import eventually

EDITION = "CISCE-2026"
SDL = Path(__file__).parents[2] / "schemas" / "graphql" / "schema.graphql"


# `stack`: the package's (tests/e2e/conftest.py)


EXHIBITOR_FIELDS = """
  exhibitor { id status version companyName booth { code hall } contacts { name email }
              contractAmount { amount currency } paidAmount { amount currency } }
  version consistencyToken userErrors { field message code }
"""


async def mutate(
    stack: Stack,
    name: str,
    input: dict[str, Any],
    *,
    as_: str | None = None,
    fields: str = EXHIBITOR_FIELDS,
) -> dict[str, Any]:
    data = await stack.data(
        f"mutation($input: {_input_type(name)}!) {{ {name}(input: $input) {{ {fields} }} }}",
        as_=as_,
        input=input,
    )
    return data[name]  # type: ignore[no-any-return]


def _input_type(mutation: str) -> str:
    match = re.search(rf"\b{mutation}\(input: (\w+)!\)", SDL.read_text())
    assert match, mutation
    return match.group(1)


async def submit(stack: Stack, name: str, country: str = "US", **extra: Any) -> dict[str, Any]:
    payload = await mutate(
        stack,
        "submitExhibitorApplication",
        {
            "edition": EDITION,
            "companyName": name,
            "country": country,
            "supplyChainAreas": ["SMART_VEHICLES"],
            "contacts": [{"name": "Ada Brooks", "email": f"ada@{uuid.uuid4().hex[:6]}.example"}],
            **extra,
        },
    )
    assert payload["userErrors"] == [], payload
    return payload


async def test_an_exhibitor_goes_from_application_to_confirmation_through_mutations(stack: Stack):
    booth = await mutate(
        stack,
        "defineBooth",
        {
            "edition": EDITION,
            "hall": "N1",
            "boothCode": "N1-01",
            "sizeSqm": 36,
            "supplyChainArea": "SMART_VEHICLES",
        },
        fields="booth { code hall sizeSqm } version userErrors { code message }",
    )
    assert booth["userErrors"] == [] and booth["booth"]["code"] == "N1-01"
    submitted = await submit(stack, "Great Lakes Axles")
    exhibitor = submitted["exhibitor"]
    assert exhibitor["status"] == "SUBMITTED" and exhibitor["version"] == 1
    app = exhibitor["id"]
    steps = [
        ("startReview", {}, "UNDER_REVIEW"),
        ("approveApplication", {}, "APPROVED"),
        (
            "issueContract",
            {"amount": "80000.00", "currency": "CNY", "dueDate": "2026-03-31"},
            "APPROVED",
        ),
        ("signContract", {}, "CONTRACTED"),
        (
            "recordPayment",
            {"amount": "80000.00", "currency": "CNY", "reference": "SWIFT-9"},
            "CONTRACTED",
        ),
        ("assignBooth", {"hall": "N1", "boothCode": "N1-01"}, "CONTRACTED"),
        ("confirmParticipation", {}, "CONFIRMED"),
    ]
    version = 1
    for mutation, extra, status in steps:
        payload = await mutate(
            stack, mutation, {"applicationId": app, "expectedVersion": version, **extra}
        )
        assert payload["userErrors"] == [], (mutation, payload)
        version = payload["version"]
        # read-your-writes: the payload already shows the new state
        assert payload["exhibitor"]["status"] == status, (mutation, payload)
        assert payload["exhibitor"]["version"] == version, (mutation, payload)
    final = payload["exhibitor"]
    assert final["booth"] == {"code": "N1-01", "hall": "N1"}
    assert final["contractAmount"] == {"amount": "80000.00", "currency": "CNY"}
    assert final["paidAmount"] == {"amount": "80000.00", "currency": "CNY"}

    again = await mutate(stack, "confirmParticipation", {"applicationId": app})
    assert again["exhibitor"] is None and again["userErrors"][0]["code"] == "INVALID_TRANSITION"
    stale = await mutate(stack, "startReview", {"applicationId": app, "expectedVersion": 1})
    assert stale["userErrors"][0]["code"] in ("CONFLICT", "INVALID_TRANSITION")
    missing = await mutate(stack, "startReview", {"applicationId": _exhibitor_id(uuid.uuid4())})
    assert missing["userErrors"][0]["code"] == "NOT_FOUND"
    invalid = await mutate(
        stack,
        "submitExhibitorApplication",
        {"edition": EDITION, "companyName": "X", "country": "ZZ", "supplyChainAreas": []},
    )
    assert {e["code"] for e in invalid["userErrors"]} == {"VALIDATION"}
    assert ["country"] in [e["field"] for e in invalid["userErrors"]]

    timeline = await stack.data(
        "query($id: ID!) { timeline(subjectId: $id) { totalCount edges { node { type summary actor } } } }",
        id=app,
    )
    entries = [e["node"] for e in timeline["timeline"]["edges"]]
    assert [e["type"] for e in entries][:3] == [
        "ApplicationSubmitted",
        "ReviewStarted",
        "ApplicationApproved",
    ]
    assert entries[0]["actor"] == "staff:ada" and entries[0]["summary"].startswith(
        "Application submitted"
    )


async def test_wait_false_answers_at_once_with_a_token_that_queries_can_wait_for(stack: Stack):
    submitted = await submit(stack, "Token Freight")
    app = submitted["exhibitor"]["id"]
    payload = await mutate(stack, "startReview", {"applicationId": app, "wait": False})
    assert payload["userErrors"] == [] and payload["exhibitor"] is None
    token_ = payload["consistencyToken"]
    node = await stack.data(
        "query($id: ID!, $t: String) { node(id: $id, atLeast: $t) { ... on Exhibitor { status } } }",
        id=app,
        t=token_,
    )
    assert node["node"]["status"] == "UNDER_REVIEW"


async def test_the_outreach_flow_from_trip_to_converted_interest_and_the_dashboard(stack: Stack):
    before = await _dashboard(stack)
    org = await mutate(
        stack,
        "registerOrganization",
        {"name": "Oakland Port Logistics", "kind": "COMPANY", "country": "US"},
        fields="organization { id name } userErrors { code message }",
    )
    org_id = org["organization"]["id"]
    people = []
    for i in range(3):
        contact = await mutate(
            stack,
            "registerContact",
            {
                "name": f"Contact {i}",
                "email": f"c{i}.{uuid.uuid4().hex[:6]}@oakland.example",
                "country": "US",
                "organizationId": org_id,
            },
            fields="contact { id email organization { name } } userErrors { code message }",
        )
        assert contact["userErrors"] == [], contact
        assert contact["contact"]["organization"]["name"] == "Oakland Port Logistics"
        people.append(contact["contact"]["id"])
    consent = await mutate(
        stack,
        "grantConsent",
        {
            "contactId": people[0],
            "channel": "EMAIL",
            "purpose": "MARKETING",
            "legalBasis": "EXPRESS",
            "evidence": "signed up at the forum",
        },
        fields="contact { consents { channel purpose legalBasis } } userErrors { code }",
    )
    assert consent["contact"]["consents"] == [
        {"channel": "EMAIL", "purpose": "MARKETING", "legalBasis": "EXPRESS"}
    ]
    delegation = await mutate(
        stack,
        "formDelegation",
        {
            "name": "Spring mission",
            "organizer": "CCPIT",
            "leaderId": people[0],
            "purpose": "recruit",
        },
        fields="delegation { id leader { name } } userErrors { code message }",
    )
    trip = await mutate(
        stack,
        "planTrip",
        {
            "delegationId": delegation["delegation"]["id"],
            "name": "North America",
            "stops": [
                {
                    "city": "Oakland",
                    "country": "US",
                    "startsOn": "2025-11-28",
                    "endsOn": "2025-11-30",
                    "timeZone": "America/Los_Angeles",
                }
            ],
        },
        fields="trip { id status stops { city timeZone } } userErrors { code message }",
    )
    assert trip["trip"]["status"] == "PLANNED"
    assert trip["trip"]["stops"] == [{"city": "Oakland", "timeZone": "America/Los_Angeles"}]
    event = await mutate(
        stack,
        "scheduleOutreachEvent",
        {
            "tripId": trip["trip"]["id"],
            "stopIndex": 0,
            "name": "Oakland Forum",
            "kind": "FORUM",
            "startsAt": "2025-11-29T17:00:00Z",
            "endsAt": "2025-11-29T20:00:00Z",
        },
        fields="outreachEvent { id } userErrors { code message }",
    )
    event_id = event["outreachEvent"]["id"]
    counts = "outreachEvent { invited accepted attended } userErrors { code message }"
    for person in people:
        invited = await mutate(
            stack, "inviteContact", {"eventId": event_id, "contactId": person}, fields=counts
        )
        assert invited["userErrors"] == [], invited
    for person in people[:2]:
        await mutate(
            stack,
            "recordRsvp",
            {"eventId": event_id, "contactId": person, "accept": True},
            fields=counts,
        )
    shown = await mutate(
        stack,
        "recordAttendance",
        {"eventId": event_id, "contactId": people[0], "attended": True},
        fields=counts,
    )
    assert shown["outreachEvent"] == {"invited": 3, "accepted": 2, "attended": 1}

    interest_fields = (
        "interest { id stage exhibitor { companyName status } } userErrors { code message }"
    )
    interests = []
    for person in people[:2]:
        captured = await mutate(
            stack,
            "captureInterest",
            {
                "contactId": person,
                "kind": "EXHIBIT",
                "edition": EDITION,
                "supplyChainAreas": ["SUPPLY_CHAIN_SERVICES"],
                "organizationId": org_id,
                "sourceEventId": event_id,
            },
            fields=interest_fields,
        )
        assert captured["interest"]["stage"] == "CAPTURED", captured
        interests.append(captured["interest"]["id"])
    await mutate(stack, "qualifyInterest", {"interestId": interests[0]}, fields=interest_fields)
    converted = await mutate(
        stack, "convertInterest", {"interestId": interests[0]}, fields=interest_fields
    )
    assert converted["interest"]["stage"] == "CONVERTED", converted
    follow_up = await mutate(
        stack,
        "scheduleFollowUp",
        {"subjectId": interests[1], "owner": "staff:ada", "dueAt": "2025-12-05T09:00:00Z"},
        fields="followUp { id status } userErrors { code message }",
    )
    done = await mutate(
        stack,
        "completeFollowUp",
        {"followUpId": follow_up["followUp"]["id"], "outcome": "will apply next year"},
        fields="followUp { status outcome } userErrors { code message }",
    )
    assert done["followUp"] == {"status": "COMPLETED", "outcome": "will apply next year"}

    async def exhibitor_of_interest() -> dict[str, Any] | None:
        node = await stack.data(
            "query($id: ID!) { node(id: $id) { ... on Interest { exhibitor { companyName status } } } }",
            id=interests[0],
        )
        return node["node"]["exhibitor"]  # type: ignore[no-any-return]

    exhibitor = await eventually(exhibitor_of_interest, what="the converted interest's exhibitor")
    assert exhibitor == {"companyName": "Oakland Port Logistics", "status": "SUBMITTED"}

    after = await _dashboard(stack)
    assert after["totalExhibitors"] == before["totalExhibitors"] + 1
    assert _counts(after["interestsByStage"]) == {"CAPTURED": 1, "CONVERTED": 1}
    ids = [
        org_id,
        *people,
        delegation["delegation"]["id"],
        trip["trip"]["id"],
        event_id,
        *interests,
        follow_up["followUp"]["id"],
    ]
    for id_ in ids:
        node = await stack.data("query($id: ID!) { node(id: $id) { __typename id } }", id=id_)
        assert node["node"]["id"] == id_, node
    lists = await stack.data(
        """{ organizations(filter: {search: "oakland port"}) { totalCount }
             contacts(filter: {search: "contact"}) { totalCount }
             delegations { totalCount }
             outreachEvents { edges { node { name invitations { totalCount } interests { totalCount } } } }
             interests(filter: {stage: [CONVERTED]}) { totalCount }
             followUps(filter: {status: [COMPLETED]}) { totalCount } }"""
    )
    assert lists["organizations"]["totalCount"] == 1 and lists["contacts"]["totalCount"] >= 3
    [forum] = [
        e["node"] for e in lists["outreachEvents"]["edges"] if e["node"]["name"] == "Oakland Forum"
    ]
    assert forum["invitations"]["totalCount"] == 3 and forum["interests"]["totalCount"] == 2
    assert lists["interests"]["totalCount"] >= 1 and lists["followUps"]["totalCount"] >= 1
    [conversion] = after["conversionByOutreachEvent"]
    assert conversion == {
        "event": {"id": event_id, "name": "Oakland Forum"},
        "interests": 2,
        "converted": 1,
    }


async def test_filters_search_and_keyset_pages(stack: Stack):
    for name, country in [
        ("Zephyr Alpha Motors", "DE"),
        ("Zephyr Beta Energy", "FR"),
        ("Zephyr Gamma Foods", "DE"),
    ]:
        await submit(stack, name, country)
    page = """query($f: ExhibitorFilter, $o: ExhibitorOrder, $after: String) {
      exhibitors(edition: "CISCE-2026", filter: $f, orderBy: $o, first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { companyName } } } }"""
    found = await stack.data(page, f={"search": "zEPHYR"})
    assert found["exhibitors"]["totalCount"] == 3
    names, after = [], None
    while True:
        chunk = await stack.data(page, f={"search": "zephyr"}, o="SUBMITTED_AT", after=after)
        names += [e["node"]["companyName"] for e in chunk["exhibitors"]["edges"]]
        if not chunk["exhibitors"]["pageInfo"]["hasNextPage"]:
            break
        after = chunk["exhibitors"]["pageInfo"]["endCursor"]
    assert names == ["Zephyr Alpha Motors", "Zephyr Beta Energy", "Zephyr Gamma Foods"]
    german = await stack.data(
        page, f={"search": "zephyr", "country": ["de"], "status": ["SUBMITTED"]}
    )
    assert german["exhibitors"]["totalCount"] == 2
    none = await stack.data(page, f={"search": "zephyr", "supplyChainArea": ["CLEAN_ENERGY"]})
    assert none["exhibitors"]["totalCount"] == 0
    wildcard = await stack.data(page, f={"search": "%"})
    assert wildcard["exhibitors"]["totalCount"] == 0  # LIKE wildcards are searched literally
    bad = await stack.query(page, f={"search": "zephyr"}, o="UPDATED_AT", after=after)
    assert bad["errors"][0]["extensions"]["code"] == "VALIDATION"  # a cursor of another order


async def test_a_retried_mutation_with_the_same_idempotency_key_changes_nothing(stack: Stack):
    key = f"submit-{uuid.uuid4()}"
    body = {
        "edition": EDITION,
        "companyName": "Once Only Ltd",
        "country": "GB",
        "supplyChainAreas": ["HEALTHY_LIVING"],
        "idempotencyKey": key,
    }
    first = await mutate(stack, "submitExhibitorApplication", body)
    second = await mutate(stack, "submitExhibitorApplication", body)
    assert first["exhibitor"]["id"] == second["exhibitor"]["id"] and second["version"] == 1
    listed = await stack.data(
        'query { exhibitors(edition: "CISCE-2026", filter: {search: "Once Only"}) { totalCount } }'
    )
    assert listed["exhibitors"]["totalCount"] == 1


async def test_exhibitor_changed_pushes_the_changed_exhibitor_of_the_edition(stack: Stack):
    app = (await submit(stack, "Pushed Pumps"))["exhibitor"]["id"]
    transport = WebsocketsTransport(
        url=stack.graphql.replace("http://", "ws://"),
        init_payload={"Authorization": f"Bearer {token(Role.ORGANIZER)}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    changed = gql(
        "subscription($e: String!) { exhibitorChanged(edition: $e) { id status companyName } }"
    )
    changed.variable_values = {"e": EDITION}
    async with Client(transport=transport) as session:
        received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def listen() -> None:
            async for result in session.subscribe(changed):
                await received.put(result["exhibitorChanged"])

        listening = asyncio.create_task(listen())
        try:
            await asyncio.sleep(0)  # let the subscribe message go out first
            await mutate(stack, "startReview", {"applicationId": app})
            pushed = await asyncio.wait_for(received.get(), 15)
            while pushed["id"] != app:  # another test's change may come first
                pushed = await asyncio.wait_for(received.get(), 15)
        finally:
            listening.cancel()
    assert pushed == {"id": app, "status": "UNDER_REVIEW", "companyName": "Pushed Pumps"}


async def test_the_dashboard_counts_match_the_events_sent(stack: Stack):
    before = await _dashboard(stack)
    for name, country in [("Dash A", "DE"), ("Dash B", "DE"), ("Dash C", "CN")]:
        await submit(stack, name, country)
    rejected = await submit(stack, "Dash D", "FR")
    app = rejected["exhibitor"]["id"]
    await mutate(stack, "startReview", {"applicationId": app})
    await mutate(stack, "rejectApplication", {"applicationId": app, "reason": "off topic"})
    after = await _dashboard(stack)
    status_before, status_after = (
        _counts(before["exhibitorsByStatus"]),
        _counts(after["exhibitorsByStatus"]),
    )
    assert status_after.get("SUBMITTED", 0) - status_before.get("SUBMITTED", 0) == 3
    assert status_after["REJECTED"] - status_before.get("REJECTED", 0) == 1
    countries = _counts(after["exhibitorsByCountry"])
    assert countries["DE"] - _counts(before["exhibitorsByCountry"]).get("DE", 0) == 2
    assert "FR" not in countries or countries["FR"] == _counts(before["exhibitorsByCountry"]).get(
        "FR", 0
    )
    active = sum(countries.values())
    assert after["foreignShare"] == round((active - countries.get("CN", 0)) / active, 4)
    # the dashboard reads only the parts a query asks for, through fragments too
    parts = await stack.data(
        """query($e: String!) { editionDashboard(edition: $e) { ...Counts
             ... on EditionDashboard { boothsFree exhibitorsBySupplyChainArea { key count } } }
             alone: editionDashboard(edition: $e) { foreignShare }
             bare: editionDashboard(edition: $e) { edition } }
           fragment Counts on EditionDashboard { totalExhibitors exhibitorsByStatus { key count }
             interestsByStage { key count } }""",
        e=EDITION,
    )
    keys = ["totalExhibitors", "exhibitorsByStatus", "interestsByStage", "boothsFree"]
    assert parts["editionDashboard"] == {
        **{k: after[k] for k in keys},
        "exhibitorsBySupplyChainArea": after["exhibitorsBySupplyChainArea"],
    }
    assert parts["alone"] == {"foreignShare": after["foreignShare"]}
    assert parts["bare"] == {"edition": EDITION}


async def _dashboard(stack: Stack) -> dict[str, Any]:
    data = await stack.data(
        """query($e: String!) { editionDashboard(edition: $e) {
             totalExhibitors foreignShare boothsFree boothsTaken
             exhibitorsByStatus { key count } exhibitorsByCountry { key count }
             exhibitorsBySupplyChainArea { key count } interestsByStage { key count }
             conversionByOutreachEvent { event { id name } interests converted } } }""",
        e=EDITION,
    )
    return data["editionDashboard"]  # type: ignore[no-any-return]


def _counts(pairs: list[dict[str, Any]]) -> dict[str, int]:
    return {p["key"]: p["count"] for p in pairs}


def _exhibitor_id(local: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"Exhibitor:{local}".encode()).decode()


async def test_a_subscriber_receives_the_timeline_entry_of_another_clients_mutation(stack: Stack):
    submitted = await submit(stack, "Subscribed Motors")
    app = submitted["exhibitor"]["id"]
    ws_url = stack.graphql.replace("http://", "ws://")
    transport = WebsocketsTransport(
        url=ws_url,
        init_payload={"Authorization": f"Bearer {token(Role.VIEWER)}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    subscription = gql(
        "subscription($id: ID!) { timeline(subjectId: $id) { type summary version } }"
    )
    async with Client(transport=transport) as session:
        received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

        async def listen() -> None:
            subscription.variable_values = {"id": app}
            async for result in session.subscribe(subscription):
                await received.put(result["timeline"])

        listening = asyncio.create_task(listen())
        try:
            # the subscription is registered once the server acknowledged it; mutate until
            # the entry arrives (each attempt is another client's real mutation)
            payload = await mutate(stack, "startReview", {"applicationId": app})
            assert payload["userErrors"] == []
            entry = await asyncio.wait_for(received.get(), 15)
        finally:
            listening.cancel()
    assert entry == {"type": "ReviewStarted", "summary": "Review started", "version": 2}


async def test_a_websocket_without_a_valid_token_is_refused(stack: Stack):
    transport = WebsocketsTransport(
        url=stack.graphql.replace("http://", "ws://"),
        init_payload={"Authorization": "Bearer nonsense"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    with pytest.raises(Exception) as refused:
        async with Client(transport=transport) as session:
            await session.execute(gql("{ editions { code } }"))
    chain, error = [], refused.value
    while error is not None:
        chain.append(repr(error))
        error = error.__cause__ or error.__context__
    assert any("4403" in link for link in chain), chain


async def test_each_role_sees_and_changes_only_what_it_may(stack: Stack):
    mine = (await submit(stack, "Own Corp"))["exhibitor"]["id"]
    theirs = (await submit(stack, "Other Corp"))["exhibitor"]["id"]
    own_local = base64_local(mine)
    exhibitor = token(Role.EXHIBITOR, own_local, subject="exhibitor:own")
    viewer = token(Role.VIEWER, subject="viewer:vic")
    read = "query($id: ID!) { exhibitor(id: $id) { companyName contacts { name email phone } } }"

    own = await stack.data(read, as_=exhibitor, id=mine)
    assert own["exhibitor"]["companyName"] == "Own Corp"
    other = await stack.query(read, as_=exhibitor, id=theirs)
    assert other["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    listed = await stack.data(
        "query($e: String!) { exhibitors(edition: $e, first: 100) { totalCount edges { node { companyName } } } }",
        as_=exhibitor,
        e=EDITION,
    )
    assert [e["node"]["companyName"] for e in listed["exhibitors"]["edges"]] == ["Own Corp"]
    outreach = await stack.query("{ contacts { totalCount } }", as_=exhibitor)
    assert outreach["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    changed = await mutate(
        stack, "withdrawApplication", {"applicationId": theirs, "reason": "x"}, as_=exhibitor
    )
    assert changed["userErrors"][0]["code"] == "FORBIDDEN"
    approved = await mutate(stack, "startReview", {"applicationId": mine}, as_=exhibitor)
    assert approved["userErrors"][0]["code"] == "FORBIDDEN"
    withdrawn = await mutate(
        stack, "withdrawApplication", {"applicationId": mine, "reason": "no budget"}, as_=exhibitor
    )
    assert withdrawn["userErrors"] == [] and withdrawn["exhibitor"]["status"] == "WITHDRAWN"

    seen = await stack.data(read, as_=viewer, id=theirs)
    assert seen["exhibitor"]["contacts"] == [{"name": None, "email": None, "phone": None}]
    everything = json.dumps(
        await stack.data(
            """query($id: ID!) { contacts(first: 100) { edges { node { name email phone } } }
                                 timeline(subjectId: $id) { edges { node { data summary } } }
                                 notifications { edges { node { recipient } } } }""",
            as_=viewer,
            id=theirs,
        )
    )
    assert "@" not in everything, everything
    by_viewer = await mutate(stack, "startReview", {"applicationId": theirs}, as_=viewer)
    assert by_viewer["userErrors"][0]["code"] == "FORBIDDEN"
    webhook = await mutate(
        stack,
        "registerWebhookEndpoint",
        {"url": "https://example.com/hook", "eventTypes": ["pavilion.*"]},
        as_=token(Role.ORGANIZER),
        fields="webhookEndpoint { id } userErrors { code }",
    )
    assert webhook["userErrors"][0]["code"] == "FORBIDDEN"


async def test_an_admin_registers_a_webhook_endpoint_and_sees_its_secret_once(stack: Stack):
    fields = "webhookEndpoint { id url eventTypes } secret version userErrors { field code }"
    registered = await mutate(
        stack,
        "registerWebhookEndpoint",
        {"url": "http://127.0.0.1:9/hook", "eventTypes": ["pavilion.exhibitors.*"]},
        fields=fields,
    )
    assert registered["userErrors"] == [], registered
    endpoint = registered["webhookEndpoint"]
    assert endpoint["url"] == "http://127.0.0.1:9/hook"
    assert endpoint["eventTypes"] == ["pavilion.exhibitors.*"]
    assert registered["secret"].startswith("whsec_")
    node = await stack.data(
        "query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url } } }", id=endpoint["id"]
    )
    assert node["node"] == {"url": "http://127.0.0.1:9/hook"}
    refused = await mutate(
        stack, "registerWebhookEndpoint", {"url": "ftp://x", "eventTypes": ["a"]}, fields=fields
    )
    assert refused["userErrors"][0]["code"] == "VALIDATION"
    assert refused["userErrors"][0]["field"] == ["url"]


def base64_local(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id).decode().split(":", 1)[1]


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic YWRhOnNlY3JldA==",
        "Bearer not-a-jwt",
        "Bearer "
        + jwt.encode(
            {"sub": "x", "role": "ADMIN", "exp": 1, "iss": "pavilion", "aud": "pavilion-gateway"},
            JWT_SECRET,
            algorithm="HS256",
        ),
        "Bearer "
        + jwt.encode(
            {
                "sub": "x",
                "role": "ADMIN",
                "exp": 4102444800,
                "iss": "pavilion",
                "aud": "pavilion-gateway",
            },
            "another-secret-of-some-32-chars!!",
            algorithm="HS256",
        ),
    ],
    ids=["missing", "not-bearer", "malformed", "expired", "wrongly-signed"],
)
async def test_requests_without_a_valid_token_get_nothing(stack: Stack, authorization: str | None):
    headers = {"authorization": authorization} if authorization else {}
    async with httpx.AsyncClient() as http:
        response = await http.post(
            stack.graphql, json={"query": "{ editions { code } }"}, headers=headers
        )
    assert response.status_code == 401
    body = response.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_hostile_requests_are_refused_clearly_and_the_server_keeps_serving(stack: Stack):
    nested = 'exhibitors(edition: "X") { edges { node { sourceInterest { contact { ' + (
        "organization { contacts { " * 8
    )
    deep = "{ " + nested + "name" + " }" * nested.count("{") + " }"  # depth 20
    some_aliases = "{ " + " ".join(f"a{i}: editions {{ code }}" for i in range(100)) + " }"
    too_many = await stack.query(some_aliases)
    assert too_many.get("data") is None
    assert "aliases" in too_many["errors"][0]["message"].lower(), too_many
    result = await stack.query(deep)
    assert (
        result.get("data") is None
        and "exceeds maximum operation depth" in result["errors"][0]["message"]
    )
    aliases = "{ " + " ".join(f"a{i}: editions {{ code }}" for i in range(10_000)) + " }"
    headers = {"authorization": f"Bearer {token()}"}
    async with httpx.AsyncClient(timeout=30) as http:
        many = await http.post(stack.graphql, json={"query": aliases}, headers=headers)
        assert many.status_code in (200, 413), many.text
        assert many.json()["errors"][0]["message"], many.text
        huge = await http.post(
            stack.graphql,
            json={"query": "{ editions { code } }" + " " * 1_000_000},
            headers=headers,
        )
        assert (
            huge.status_code == 413
            and huge.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
        )
        broken = await http.post(
            stack.graphql,
            content=b'{"query": "{ editions',
            headers={**headers, "content-type": "application/json"},
        )
        assert broken.status_code == 400 and "JSON" in broken.text
        tokens = "{ editions { " + "code " * 5000 + "} }"
        long = await http.post(stack.graphql, json={"query": tokens}, headers=headers)
        assert "token" in long.json()["errors"][0]["message"].lower()
        alive = await http.post(
            stack.graphql, json={"query": "{ editions { code } }"}, headers=headers
        )
    assert alive.json() == {"data": {"editions": [{"code": EDITION}]}}


async def test_introspection_is_off_unless_enabled(stack: Stack):
    result = await stack.query("{ __schema { types { name } } }")
    assert result.get("data") is None and "introspection" in result["errors"][0]["message"].lower()


async def test_a_rebuild_while_queries_run_swaps_in_the_same_answers(stack: Stack):
    await submit(stack, "Rebuild Alpha")
    await submit(stack, "Rebuild Beta", "DE")
    query = """query($e: String!) {
      exhibitors(edition: $e, first: 100) { totalCount edges { node { id companyName status version } } }
      editionDashboard(edition: $e) { totalExhibitors foreignShare exhibitorsByStatus { key count } }
      contacts(first: 100) { totalCount edges { node { name } } }
    }"""
    before = await stack.data(query, e=EDITION)
    failures: list[Any] = []
    stop = asyncio.Event()

    async def keep_querying() -> int:
        count = 0
        while not stop.is_set():
            result = await stack.query(query, e=EDITION)
            if "errors" in result or result["data"] != before:
                failures.append(result)
            count += 1
        return count

    querying = asyncio.create_task(keep_querying())
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway.cli",
        "rebuild",
        env={**os.environ, **stack.env},  # type: ignore[attr-defined]
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    stop.set()
    queries = await querying
    assert process.returncode == 0, err.decode()
    assert "generation 2 is current" in out.decode(), out.decode()
    assert "messages (100%)" in err.decode(), err.decode()
    assert queries > 0 and failures == [], failures[:2]
    assert await stack.data(query, e=EDITION) == before
    # the live projector now writes into the new generation
    fresh = await submit(stack, "After Rebuild Co")
    assert fresh["exhibitor"]["companyName"] == "After Rebuild Co"
