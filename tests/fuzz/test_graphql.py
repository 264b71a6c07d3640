"""Schemathesis fuzzes the gateway through GraphQL: every root query and mutation field of
the exported SDL (subscriptions are not HTTP), as ADMIN and in a smaller pass as VIEWER
and as EXHIBITOR, against the real stack: the services as processes, on fresh databases
and topics, with a record of every kind. Whatever a caller sends, no answer is a server
error, the gateway's masked INTERNAL error or a service's failure (UNAVAILABLE), and no
process logs an error — bad input is a typed refusal. What is sent: graphql_cases.py."""

import base64
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from gateway.auth import Role
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import Stack, running, scratch, token
from tests.fuzz.graphql_cases import EDITION, SCHEMA, SDL, Known, Sharpener, b64
from tests.support import eventually

PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("outreach", "api"),
    ("outreach", "relay"),
    ("notifications", "api"),
    ("notifications", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]
# The gateway's masked internal error, and what it answers when a service it sends a
# command to fails (5xx: the services are up for the whole run).
SERVER_ERRORS = {"INTERNAL", "UNAVAILABLE"}
# Examples per operation (the sharpener aims each at known ids and the input's edges):
# with a mutation for every command (about 90 operations) the whole module runs in about
# two minutes on two shared cores. The first is a case a caller who gets everything right
# would send, which must be answered as ADMIN (by luck alone, 16 cases of a query with
# an id, a cursor and a token missed an answer about one run in four).
EXAMPLES = {Role.ADMIN: 16, Role.VIEWER: 4, Role.EXHIBITOR: 4}


@dataclass
class Logs:
    """The stack's process logs, each read on from where the last look stopped."""

    folder: Path
    read: dict[Path, int] = field(default_factory=dict)

    def errors(self) -> list[str]:
        """What was logged at level error (or a bare traceback) since the last look."""
        found = []
        for path in sorted(self.folder.glob("*.log")):
            with path.open("rb") as log:
                log.seek(self.read.get(path, 0))
                chunk = log.read()
            whole = chunk[: chunk.rfind(b"\n") + 1]
            self.read[path] = self.read.get(path, 0) + len(whole)
            found += [
                f"{path.stem}: {line[-4000:]}"
                for line in whole.decode(errors="replace").splitlines()
                if '"level": "error"' in line
                or '"level": "critical"' in line
                or line.startswith("Traceback")
            ]
        return found


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Logs:
    return Logs(tmp_path_factory.mktemp("logs"))


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str], kafka: KafkaSettings, logs: Logs
) -> AsyncIterator[Stack]:
    settings = {
        "PAVILION_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
        # a mutation that succeeds answers after at most this long: keeps the run short
        "PAVILION_GATEWAY_WAIT_MS": "300",
    }
    async with (
        scratch(templates, kafka) as env,
        running(PROCESSES, {**env, **settings}, logs.folder) as stack,
    ):
        yield stack


@pytest.fixture(scope="module")
async def known(stack: Stack, logs: Logs) -> Known:
    """One record of every kind, made through the API, and what the fuzzer may reuse."""
    known = Known()

    async def make(name: str, input: dict[str, Any], kind: str) -> str:
        data = await stack.data(
            f"mutation($input: {_input_type(name)}!) {{ {name}(input: $input) "
            "{ consistencyToken userErrors { code message } } }",
            input={**input, "wait": False},
        )
        payload = data[name]
        assert payload["userErrors"] == [], payload
        [[subject, _], *_] = json.loads(base64.urlsafe_b64decode(payload["consistencyToken"]))
        record = b64(f"{kind}:{subject}")
        await eventually(
            lambda: _shown(stack, record, payload["consistencyToken"]), what=f"{name} shown"
        )
        known.ids.setdefault(kind, []).append(record)
        known.tokens.append(payload["consistencyToken"])
        known.inputs.setdefault(name, input)
        return record

    booth = {"edition": EDITION, "hall": "N1", "boothCode": "N1-01", "sizeSqm": 36}
    known.inputs["defineBooth"] = {**booth, "supplyChainArea": "SMART_VEHICLES"}
    await stack.data(
        "mutation($i: DefineBoothInput!) { defineBooth(input: $i) { userErrors { code } } }",
        i=known.inputs["defineBooth"],
    )
    application = await make(
        "submitExhibitorApplication",
        {
            "edition": EDITION,
            "companyName": "Great Lakes Axles",
            "country": "US",
            "supplyChainAreas": ["SMART_VEHICLES"],
            "contacts": [{"name": "Ada Brooks", "email": "ada@axles.example"}],
        },
        "Exhibitor",
    )
    known.own_application = base64.urlsafe_b64decode(application).decode().split(":", 1)[1]
    org = await make(
        "registerOrganization",
        {"name": "Oakland Port Logistics", "kind": "COMPANY", "country": "US"},
        "Organization",
    )
    contact = await make(
        "registerContact",
        {"name": "Bo Chen", "email": "bo@port.example", "country": "US", "organizationId": org},
        "Contact",
    )
    delegation = await make(
        "formDelegation",
        {"name": "Spring", "organizer": "CCPIT", "leaderId": contact, "purpose": "recruit"},
        "Delegation",
    )
    stop = {"city": "Oakland", "country": "US", "startsOn": "2025-12-08", "endsOn": "2025-12-09"}
    trip = await make(
        "planTrip", {"delegationId": delegation, "name": "West", "stops": [stop]}, "Trip"
    )
    event = await make(
        "scheduleOutreachEvent",
        {
            "tripId": trip,
            "stopIndex": 0,
            "name": "Oakland Forum",
            "kind": "FORUM",
            "startsAt": "2025-12-08T17:00:00Z",
            "endsAt": "2025-12-08T20:00:00Z",
        },
        "OutreachEvent",
    )
    await make("inviteContact", {"eventId": event, "contactId": contact}, "OutreachEvent")
    interest = await make(
        "captureInterest",
        {
            "contactId": contact,
            "kind": "EXHIBIT",
            "edition": EDITION,
            "supplyChainAreas": ["SMART_VEHICLES"],
            "sourceEventId": event,
        },
        "Interest",
    )
    await make(
        "scheduleFollowUp",
        {"subjectId": interest, "owner": "staff:ada", "dueAt": "2025-12-05T09:00:00Z"},
        "FollowUp",
    )
    await make(
        "registerWebhookEndpoint",
        {"url": "http://127.0.0.1:9/hook", "eventTypes": ["pavilion.*"]},
        "WebhookEndpoint",
    )
    await _collect_cursors(stack, known, application)
    assert not logs.errors()
    return known


async def _collect_cursors(stack: Stack, known: Known, application: str) -> None:
    pages = {
        "exhibitors": f'exhibitors(edition: "{EDITION}", first: 1)',
        "organizations": "organizations(first: 1)",
        "contacts": "contacts(first: 1)",
        "delegations": "delegations(first: 1)",
        "outreachEvents": "outreachEvents(first: 1)",
        "interests": "interests(first: 1)",
        "followUps": "followUps(first: 1)",
        "notifications": "notifications(first: 1)",
        "webhookEndpoints": "webhookEndpoints(first: 1)",
        "timeline": f'timeline(subjectId: "{application}", first: 1)',
    }
    fields = " ".join(f"{alias}: {page} {{ edges {{ cursor }} }}" for alias, page in pages.items())
    data = await stack.data(f"{{ {fields} }}")
    known.cursors = [edge["cursor"] for page in data.values() for edge in page["edges"]]
    assert len(known.cursors) >= 8, data


async def _shown(stack: Stack, record: str, at_least: str) -> bool:
    data = await stack.query(
        "query($id: ID!, $t: String) { node(id: $id, atLeast: $t) { id } }", id=record, t=at_least
    )
    return bool((data.get("data") or {}).get("node"))


def _input_type(mutation: str) -> str:
    match = re.search(rf"\b{mutation}\(input: (\w+)!\)", SDL.read_text())
    assert match, mutation
    return match.group(1)


@dataclass
class Reach:
    """How far the fuzzer's requests got: refused before any resolver ran, or not."""

    requests: int = 0
    resolved: int = 0  # a root field was executed (a value, or an error at its path)
    answered: int = 0  # ...and gave a value


def _check(response: requests.Response, body: str, reach: Reach) -> None:
    reach.requests += 1
    assert response.status_code < 500, (body, response.status_code, response.text)
    result = response.json()
    errors = result.get("errors") or []
    broken = [e for e in errors if (e.get("extensions") or {}).get("code") in SERVER_ERRORS]
    assert not broken, (body, broken)
    data = result.get("data") or {}
    if data or any(e.get("path") for e in errors):
        reach.resolved += 1
    if any(value is not None for value in data.values()):
        reach.answered += 1


def _operations() -> list[Any]:
    found = []
    for result in SCHEMA.get_all_operations():
        operation = result.ok()
        for role in EXAMPLES:
            found.append(pytest.param(operation, role, id=f"{operation.label} {role.value}"))
    return found


# schemathesis' own pytest integration does not run under pytest 9 (it sets
# Function._nodeid); driving its hypothesis strategies directly does the same work.
@pytest.mark.parametrize(("operation", "role"), _operations())
def test_no_graphql_operation_fails_inside_the_gateway(
    operation: schemathesis.APIOperation, role: Role, stack: Stack, known: Known, logs: Logs
) -> None:
    bearer = token(role, known.own_application, subject="fuzz:ada")
    headers = {"authorization": f"Bearer {bearer}"}
    reach, sharpen, session = Reach(), Sharpener(known), requests.Session()
    logs.errors()  # what earlier operations caused is theirs

    @settings(
        max_examples=EXAMPLES[role],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        # no shrinking: each step is a request, and the failing one is reported whole
        phases=[Phase.explicit, Phase.generate],
    )
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        first, answered = not reach.requests, reach.answered
        chosen = data.draw(sharpen.choices(operation))  # first: see Sharpener
        if first:  # a case that must be answered (drawn alike: Hypothesis checks that)
            chosen = sharpen.answerable(operation)
        case = data.draw(operation.as_strategy())
        case.body = sharpen(str(case.body), chosen)
        response = case.call(base_url=stack.graphql, session=session, headers=headers, timeout=30)
        _check(response, str(case.body), reach)
        if first and role is Role.ADMIN:
            assert reach.answered > answered, ("no answer", case.body, response.text)

    with session:
        fuzz()
    assert reach.resolved, f"no request of {reach.requests} reached a resolver"
    logged = logs.errors()  # a service's failure the gateway's answer may not show
    assert not logged, "\n".join(logged)
