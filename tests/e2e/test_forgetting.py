"""Forgetting a person (GDPR art. 17), end to end through the real processes: unique
markers planted on a contact through GraphQL flow everywhere (an invitation mailed to
them, a webhook body carrying them, the timeline, a note, consent evidence); then
`forgetContact`, and none of the markers is left in the read model, the notifier's
tables or the logs; a rebuild of the read model shows the contact forgotten; a further
command about them is FORGOTTEN. The same for an exhibitor's contact person. Text about
the contact filed under other records (a note on their lead, a follow-up's note and
outcome, why the lead was lost, written with their name and address in it) goes with
them; so does their entry as a contact person of an application (the same address),
which exhibitors forgets when outreach does.

The event stores and the topics hold every personal value sealed with a key per
person, which forgetting destroys: `test_no_marker_is_left_in_any_database_or_topic`
dumps every database of the stack (the vault's too) and reads every message of every
topic, dead-letter topics included, and finds none of the markers. (Each database is
dumped on its own, not by pg_dumpall: the cluster is shared with other test runs,
whose databases come and go during a dump.)"""

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from gateway.auth import Role
from gateway.policy import decode
from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import CloudEvent
from pavilion_core.kafka import dlq_topic
from pavilion_core.personal import Sealer

from tests.e2e.stack import JWT_SECRET, Stack, running, scratch, token
from tests.integration.webhook_support import Receiver, receiving
from tests.smtp_catcher import Mailbox
from tests.smtp_catcher import start as start_catcher
from tests.support import eventually, free_port, signed

PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("exhibitors", "reactor"),
    ("outreach", "api"),
    ("outreach", "relay"),
    ("notifications", "worker"),
    ("notifications", "webhooks"),
    ("notifications", "api"),
    ("notifications", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]
RUN = uuid.uuid4().hex[:6]
# One person's markers, each unique to this run; the phone's digits are one too.
CONTACT = {
    "name": f"Ysolde Marrowind{RUN}",
    "email": f"ysolde.{RUN}@marrowind.example",
    # a valid US number: its exchange (the 7 digits' first) is 2-9
    "phone": f"+1415{2_000_000 + int(RUN, 16) % 8_000_000:07d}",
    "title": f"Chief Cartographer {RUN}",
    "note": f"Prefers tea, Marrowind {RUN}",
    "evidence": f"signed form Marrowind {RUN}",
}
# Text about them under other records, as a hostile-but-plausible user writes it.
ABOUT = {
    "lead note": f"call {CONTACT['name']} at {CONTACT['email']} about maps {RUN}-lead",
    "task": f"ask Ysolde for the atlas {RUN}-task",
    "outcome": f"Ysolde said yes {RUN}-done",
    "lost": f"Ysolde moved to Lisbon {RUN}-lost",
}
# The notifier's event store, and the record copies of parked messages: sealed by the vault.
SEALED = ("events", "streams", "idempotency_keys", "parked_messages")
PERSON = {"name": f"Torvald Quenby{RUN}", "email": f"torvald.{RUN}@quenby.example"}
CONTACT_FIELDS = "contact { id name email phone title forgotten } userErrors { code message }"
MUTATIONS = {
    "registerWebhookEndpoint": ("RegisterWebhookEndpointInput", "secret userErrors { code }"),
    "registerContact": ("RegisterContactInput", CONTACT_FIELDS),
    "grantConsent": ("GrantConsentInput", CONTACT_FIELDS),
    "forgetContact": ("ForgetContactInput", CONTACT_FIELDS),
    "formDelegation": ("FormDelegationInput", "delegation { id } userErrors { code }"),
    "planTrip": ("PlanTripInput", "trip { id } userErrors { code }"),
    "scheduleOutreachEvent": (
        "ScheduleOutreachEventInput",
        "outreachEvent { id } userErrors { code }",
    ),
    "inviteContact": ("InviteContactInput", "outreachEvent { invited } userErrors { code }"),
    "submitExhibitorApplication": (
        "SubmitExhibitorApplicationInput",
        "exhibitor { id contacts { name email } } userErrors { code message }",
    ),
    "forgetExhibitorContact": (
        "ForgetExhibitorContactInput",
        "exhibitor { id contacts { name email } } userErrors { code message }",
    ),
    "registerOrganization": (
        "RegisterOrganizationInput",
        "organization { id } userErrors { code }",
    ),
    "captureInterest": ("CaptureInterestInput", "interest { id } userErrors { code }"),
    "addNote": ("AddNoteInput", "userErrors { code }"),
    "scheduleFollowUp": ("ScheduleFollowUpInput", "followUp { id } userErrors { code }"),
    "completeFollowUp": ("CompleteFollowUpInput", "userErrors { code }"),
    "markInterestLost": ("MarkInterestLostInput", "userErrors { code }"),
}


def markers() -> list[str]:
    return [*CONTACT.values(), CONTACT["phone"].lstrip("+"), *PERSON.values(), *ABOUT.values()]


@pytest.fixture(scope="module")
def mailbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Mailbox]]:
    """The recipients' SMTP server (their inboxes are theirs, not ours: not searched)."""
    port = free_port()
    controller, box = start_catcher(tmp_path_factory.mktemp("mail"), port)
    yield port, box
    controller.stop()


@pytest.fixture(scope="module")
async def partner() -> AsyncIterator[tuple[Receiver, int]]:
    partner = Receiver()
    async with receiving(partner) as port:
        yield partner, port


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="module")
async def stack(
    templates: dict[str, str], kafka: KafkaSettings, mailbox: tuple[int, Mailbox], logs: Path
) -> AsyncIterator[Stack]:
    settings = {
        "PAVILION_SMTP_PORT": str(mailbox[0]),
        "PAVILION_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
    }
    async with scratch(templates, kafka) as env, running(PROCESSES, {**env, **settings}, logs) as s:
        s.env = {**env, **settings, "PAVILION_JWT_SECRET": JWT_SECRET}  # type: ignore[attr-defined]
        await eventually(lambda: projecting(s), within=60, interval=0.5, what="the projector")
        yield s


async def projecting(stack: Stack) -> bool:
    """Whether a change shows in the read model within its mutation's wait: the first
    changes after a start may not, while the projector joins its group."""
    someone = {
        "name": "Warm Up",
        "email": f"warm-{uuid.uuid4().hex[:8]}@x.example",
        "country": "CA",
    }
    return (await mutate(stack, "registerContact", someone))["contact"] is not None


async def mutate(stack: Stack, name: str, input: dict[str, Any]) -> dict[str, Any]:
    kind, fields = MUTATIONS[name]
    document = f"mutation($i: {kind}!) {{ {name}(input: $i) {{ {fields} }} }}"
    answer: dict[str, Any] = (await stack.data(document, i=input))[name]
    return answer


async def plant_contact(stack: Stack, partner: tuple[Receiver, int]) -> tuple[str, str]:
    """The contact with every marker: consent (evidence), a note, a lead with text about
    them, an invitation mailed to them, and a partner subscribed to outreach's events
    (the webhook bodies); their id and their lead's."""
    hook = {"url": f"http://127.0.0.1:{partner[1]}/hook", "eventTypes": ["pavilion.outreach.*"]}
    made = await mutate(stack, "registerWebhookEndpoint", hook)
    partner[0].secrets["hook"] = made["secret"]
    profile = {k: CONTACT[k] for k in ("name", "email", "phone", "title")}
    registered = await mutate(stack, "registerContact", {**profile, "country": "CA"})
    assert registered["userErrors"] == [], registered
    contact = registered["contact"]
    grant = {"contactId": contact["id"], "channel": "EMAIL", "purpose": "MARKETING",
             "legalBasis": "EXPRESS", "evidence": CONTACT["evidence"]}  # fmt: skip
    assert (await mutate(stack, "grantConsent", grant))["userErrors"] == []
    await note(stack, contact["id"])
    interest = await lead(stack, contact["id"])
    await invite(stack, contact["id"])
    return str(contact["id"]), interest


async def lead(stack: Stack, contact: str) -> str:
    """Their lead, a note on it, a follow-up on it done, and the lead lost: all with
    text about them, filed under the lead's and the follow-up's records."""
    org = {"name": f"Atlas {RUN}", "kind": "COMPANY", "country": "CA"}
    made = await mutate(stack, "registerOrganization", org)
    lead = {"contactId": contact, "kind": "VISIT", "edition": "CISCE-2026",
            "organizationId": made["organization"]["id"]}  # fmt: skip
    interest = (await mutate(stack, "captureInterest", lead))["interest"]["id"]
    task = {"subjectId": interest, "owner": "li@ccpit", "dueAt": "2026-01-10T09:00:00Z",
            "note": ABOUT["task"]}  # fmt: skip
    follow_up = (await mutate(stack, "scheduleFollowUp", task))["followUp"]["id"]
    for name, input in [
        ("addNote", {"recordId": interest, "text": ABOUT["lead note"]}),
        ("completeFollowUp", {"followUpId": follow_up, "outcome": ABOUT["outcome"]}),
        ("markInterestLost", {"interestId": interest, "reason": ABOUT["lost"]}),
    ]:
        assert (await mutate(stack, name, input))["userErrors"] == [], name
    return str(interest)


async def note(stack: Stack, contact: str) -> None:
    """Notes have no mutation yet: straight to outreach's command API."""
    path = f"/contacts/{decode(contact).local}/notes"
    async with httpx.AsyncClient(auth=signed("outreach", "staff:ada")) as http:
        answer = await http.post(f"{stack.urls['outreach']}{path}", json={"text": CONTACT["note"]})
    assert answer.status_code == 200, answer.text


async def invite(stack: Stack, contact: str) -> None:
    leader = (await mutate(stack, "registerContact",
                           {"name": "Leader", "email": f"lead.{RUN}@ccpit.example",
                            "country": "CN"}))["contact"]["id"]  # fmt: skip
    delegation = await mutate(stack, "formDelegation",
                              {"name": "Mission", "organizer": "CCPIT", "leaderId": leader,
                               "purpose": "recruit"})  # fmt: skip
    stop = {"city": "Toronto", "country": "CA", "startsOn": "2025-12-10", "endsOn": "2025-12-12"}
    trip = await mutate(stack, "planTrip", {"delegationId": delegation["delegation"]["id"],
                                            "name": "Canada", "stops": [stop]})  # fmt: skip
    event = await mutate(stack, "scheduleOutreachEvent",
                         {"tripId": trip["trip"]["id"], "stopIndex": 0, "name": "Forum",
                          "kind": "FORUM", "startsAt": "2025-12-11T15:00:00Z",
                          "endsAt": "2025-12-11T18:00:00Z"})  # fmt: skip
    to = {"eventId": event["outreachEvent"]["id"], "contactId": contact}
    invited = await mutate(stack, "inviteContact", to)
    assert invited["userErrors"] == [], invited


async def _mailed(mailbox: tuple[int, Mailbox], address: str) -> bool:
    return any(m["To"] == address for m in mailbox[1].messages())


async def _notifier_forgot(stack: Stack) -> bool:
    url = stack.env["PAVILION_NOTIFICATIONS_DATABASE_URL"]  # type: ignore[attr-defined]
    conn = await asyncpg.connect(url)
    try:
        return bool(await conn.fetchval("SELECT count(*) FROM recipients WHERE forgotten"))
    finally:
        await conn.close()


async def dump(url: str, *excluded: str) -> str:
    """A database's data as pg_dump writes it (but the `excluded` tables)."""
    skipped = [arg for table in excluded for arg in ("-T", table)]
    dumped = await asyncio.to_thread(
        subprocess.run,
        ["pg_dump", "--data-only", *skipped, url],
        capture_output=True,
        text=True,
        check=True,
    )
    return dumped.stdout


def _logs(directory: Path) -> str:
    return "".join(p.read_text() for p in directory.glob("*.log"))


def left(text: str) -> list[str]:
    return [marker for marker in markers() if marker in text]


def where(dumped: str) -> list[str]:
    """The lines of a dump (its COPY headers name the tables) that hold a marker."""
    table, found = "", []
    for line in dumped.splitlines():
        if line.startswith("COPY "):
            table = line.split()[1]
        elif left(line):
            found.append(f"{table}: {line[:300]}")
    return found


@pytest.fixture(scope="module")
async def forgotten(
    stack: Stack, partner: tuple[Receiver, int], mailbox: tuple[int, Mailbox]
) -> dict[str, str]:
    """The story: planted, flowed, forgotten; the ids of the two people."""
    contact, interest = await plant_contact(stack, partner)
    await eventually(lambda: _mailed(mailbox, CONTACT["email"]), within=60, what="the invite")
    await eventually(
        lambda: _carried(partner[0], CONTACT["name"]), within=60, what="a webhook with them"
    )
    application = await submit(stack)
    await eventually(lambda: _mailed(mailbox, PERSON["email"]), within=60, what="received mail")
    env = stack.env  # type: ignore[attr-defined]
    everywhere = await dump(env["PAVILION_GATEWAY_DATABASE_URL"])
    assert left(everywhere) == markers()  # all there, in the read model at least
    notifier = await dump(env["PAVILION_NOTIFICATIONS_DATABASE_URL"], *SEALED)
    assert CONTACT["email"] in notifier and PERSON["email"] in notifier

    assert (await mutate(stack, "forgetContact", {"contactId": contact}))["userErrors"] == []
    person = {"applicationId": application, "email": PERSON["email"]}
    assert (await mutate(stack, "forgetExhibitorContact", person))["userErrors"] == []
    # shown at once, unless a loaded machine made the mutation's wait run out: then soon
    await eventually(lambda: _shown_forgotten(stack, contact, application), within=60)
    await eventually(lambda: _notifier_forgot(stack), within=60, what="the notifier's scrub")
    await eventually(
        lambda: _carried(partner[0], "ContactForgotten"), within=60, what="integrators told"
    )
    return {"contact": contact, "application": application, "interest": interest}


async def _shown_forgotten(stack: Stack, contact: str, application: str) -> bool:
    shown = await stack.data(
        """query($id: ID!, $app: ID!) { node(id: $id) { ... on Contact { forgotten } }
                                         exhibitor(id: $app) { contacts { email } } }""",
        id=contact,
        app=application,
    )
    stays = [c["email"] for c in shown["exhibitor"]["contacts"]]
    return shown["node"]["forgotten"] and stays == [f"stay.{RUN}@quenby.example"]


async def _carried(partner: Receiver, text: str) -> bool:
    return any(text in body for bodies in partner.bodies.values() for body in bodies)


async def submit(stack: Stack) -> str:
    """An application whose contact persons are PERSON, the contact (the same address:
    forgetContact forgets them here too) and one who stays."""
    contacts = [{"name": PERSON["name"], "email": PERSON["email"]},
                {"name": CONTACT["name"], "email": CONTACT["email"]},
                {"name": "Stays", "email": f"stay.{RUN}@quenby.example"}]  # fmt: skip
    made = await mutate(stack, "submitExhibitorApplication",
                        {"edition": "CISCE-2026", "companyName": f"Quenby {RUN}",
                         "country": "CA", "supplyChainAreas": ["CLEAN_ENERGY"],
                         "contacts": contacts})  # fmt: skip
    assert made["userErrors"] == [], made
    return str(made["exhibitor"]["id"])


async def test_no_marker_is_left_in_the_read_model_the_notifier_or_the_logs(
    stack: Stack, forgotten: dict[str, str], logs: Path
) -> None:
    env = stack.env  # type: ignore[attr-defined]
    assert left(await dump(env["PAVILION_GATEWAY_DATABASE_URL"])) == []
    # the notifier's views, ledger, queue and deliveries (its event store is sealed)
    assert left(await dump(env["PAVILION_NOTIFICATIONS_DATABASE_URL"], *SEALED)) == []
    written = await asyncio.to_thread(_logs, logs)
    assert "notification sent" in written and left(written) == []


async def test_a_rebuild_shows_the_contact_forgotten(
    stack: Stack, forgotten: dict[str, str]
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway.cli", "rebuild",
        env={**os.environ, **stack.env},  # type: ignore[attr-defined]
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, err.decode()
    shown = await stack.data(
        """query($id: ID!, $app: ID!) { node(id: $id) { ... on Contact { name email forgotten } }
                                         exhibitor(id: $app) { contacts { email } } }""",
        id=forgotten["contact"],
        app=forgotten["application"],
    )
    assert shown["node"]["forgotten"] is True
    assert [c["email"] for c in shown["exhibitor"]["contacts"]] == [f"stay.{RUN}@quenby.example"]
    # their events read as null now that their keys are gone: the rebuilt row shows none
    assert shown["node"]["name"] is None and shown["node"]["email"] is None


async def test_a_further_command_about_them_is_forgotten(
    stack: Stack, forgotten: dict[str, str]
) -> None:
    grant = {"contactId": forgotten["contact"], "channel": "EMAIL", "purpose": "MARKETING",
             "legalBasis": "EXPRESS", "evidence": "again"}  # fmt: skip
    assert [e["code"] for e in (await mutate(stack, "grantConsent", grant))["userErrors"]] == [
        "FORGOTTEN"
    ]
    more = {"recordId": forgotten["interest"], "text": "about her lead"}
    assert [e["code"] for e in (await mutate(stack, "addNote", more))["userErrors"]] == [
        "FORGOTTEN"
    ]
    again = await mutate(stack, "forgetContact", {"contactId": forgotten["contact"]})
    assert again["userErrors"] == [] and again["contact"]["forgotten"] is True
    viewer = await stack.query(
        "query($id: ID!) { personalData(contactId: $id) }",
        as_=token(Role.ORGANIZER),
        id=forgotten["contact"],
    )
    assert viewer["data"] is None and viewer["errors"], viewer


async def test_no_marker_is_left_in_any_database_or_topic(
    stack: Stack,
    forgotten: dict[str, str],
    kafka: KafkaSettings,
    sealer: Sealer,
    vault_database: str,
) -> None:
    """Not in the clear, and not in what still opens: every message read as Pavilion's
    own consumers read it, each value unsealed with whatever key the vault still holds
    (text about them sealed with a key that outlived them would show here)."""
    env = stack.env  # type: ignore[attr-defined]
    databases = {k: v for k, v in env.items() if k.endswith("_DATABASE_URL")}
    databases["vault"] = vault_database
    found = {name: where(await dump(url)) for name, url in databases.items()}
    assert {name: lines for name, lines in found.items() if lines} == {}
    topics = [env[f"PAVILION_{s}_TOPIC"] for s in ("EXHIBITORS", "OUTREACH", "NOTIFICATIONS")]
    messages = await read_everything(kafka, [*topics, *map(dlq_topic, topics)])
    raw = [
        part
        for m in messages
        for part in (m.key or b"", m.value or b"", *(v for _, v in m.headers))
    ]
    assert left(b"\n".join(raw).decode(errors="replace")) == []
    opened = await sealer.decode_all([(m.value, m.headers) for m in messages])
    events = [e for e in opened if isinstance(e, CloudEvent)]
    assert events and left(json.dumps([e.data for e in events], ensure_ascii=False)) == []


async def read_everything(kafka: KafkaSettings, topics: list[str]) -> list[ConsumerRecord]:
    """Every message of `topics` (those that exist)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        await consumer._client.force_metadata_update()
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer._client.cluster.partitions_for_topic(topic) or ())
        ]
        consumer.assign(partitions)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(partitions)
        seen: list[ConsumerRecord] = []
        deadline = time.monotonic() + 30
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            assert time.monotonic() < deadline, "the topics were not read to their ends"
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                seen += batch
        assert seen, "nothing was read: the check would pass vacuously"
        return seen
    finally:
        await consumer.stop()
