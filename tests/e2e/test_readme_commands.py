"""The README's commands no other test ran, run as a user runs them (a process, with the
README's words) against the real Kafka and PostgreSQL, each checked for what the README
says it does: the overdue loop `python -m outreach scheduler`, and `pavilion token`,
`import exhibitors`, `import history`, `topics create`, `rebuild-read-model` and `seed
demo`. They share the package's stack (tests/e2e/conftest.py) but `seed demo`, which
gets two APIs of its own on the real clock."""

import asyncio
import csv
import json
import os
import shutil
import signal
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from exhibitors.domain.application import application_id
from pavilion_contracts.exhibitors import ApplicationStatus
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import dlq_topic

from tests.conftest import RUN
from tests.e2e.stack import Stack, running, scratch
from tests.readme import argv
from tests.support import STORY_TIME, eventually

BIN = Path(sys.executable).parent
ROOT = Path(__file__).parents[2]


def environment(stack: Stack, **more: str) -> dict[str, str]:
    """What an operator's shell holds to reach this stack."""
    urls = {f"PAVILION_{s.upper()}_URL": url for s, url in stack.urls.items()}
    return {**os.environ, **stack.env, **urls, **more}  # type: ignore[attr-defined]


async def run(words: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """The command as typed: its first word from the virtual environment's bin/, else the
    PATH (uv)."""
    program = BIN / words[0] if (BIN / words[0]).exists() else shutil.which(words[0])
    assert program, f"{words[0]} is not installed"
    process = await asyncio.create_subprocess_exec(
        program,
        *words[1:],
        env={**env, "COLUMNS": "200"},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 300)
    assert process.returncode is not None
    return process.returncode, out.decode()


async def mutate(stack: Stack, name: str, input: dict[str, Any], fields: str) -> Any:
    kind = f"{name[0].upper()}{name[1:]}Input"
    document = f"mutation($i: {kind}!) {{ {name}(input: $i) {{ {fields} userErrors {{ code }} }} }}"
    payload = (await stack.data(document, i=input))[name]
    assert payload["userErrors"] == [], payload
    return payload


FOLLOW_UP = """query($id: ID!) { node(id: $id) { ... on FollowUp {
  overdue dueAt timeline(first: 20) { edges { node { type occurredAt } } } } } }"""


async def announced(stack: Stack, follow_up: str) -> list[datetime] | None:
    """When the follow-up was announced overdue (each time), once the read model shows it."""
    node = (await stack.data(FOLLOW_UP, id=follow_up))["node"]
    times = [
        datetime.fromisoformat(e["node"]["occurredAt"])
        for e in node["timeline"]["edges"]
        if e["node"]["type"] == "FollowUpBecameOverdue"
    ]
    return times if node["overdue"] and times else None


@pytest.mark.timeout(240)
async def test_the_scheduler_announces_each_follow_up_that_falls_due_once_and_stops_on_sigterm(
    stack: Stack, tmp_path: Path
):
    organization = await mutate(
        stack,
        "registerOrganization",
        {"name": f"Scheduler Co {uuid.uuid4().hex[:6]}", "kind": "COMPANY", "country": "CA"},
        "organization { id }",
    )
    since = datetime.now(UTC)  # the scheduler's clock: the story time, from now on

    def soon(seconds: int) -> datetime:
        return STORY_TIME + (datetime.now(UTC) - since) + timedelta(seconds=seconds)

    async def follow_up(due: datetime) -> str:
        input = {"subjectId": organization["organization"]["id"], "owner": "staff:ada"}
        made = await mutate(
            stack, "scheduleFollowUp", {**input, "dueAt": due.isoformat()}, "followUp { id }"
        )
        return str(made["followUp"]["id"])

    env = environment(
        stack,
        PAVILION_OUTREACH_OVERDUE_INTERVAL="1",
        PAVILION_SIMULATED_START=STORY_TIME.isoformat(),
        PAVILION_SIMULATED_SINCE=since.isoformat(),
        PAVILION_HEARTBEAT_FILE=str(tmp_path / "heartbeat"),
    )
    log = tmp_path / "scheduler.log"
    words = argv("python -m outreach scheduler")
    scheduler = await asyncio.create_subprocess_exec(
        BIN / words[0], *words[1:], env=env, stdout=log.open("wb"), stderr=asyncio.subprocess.STDOUT
    )
    try:
        first_due = soon(4)
        first = await follow_up(first_due)
        [at] = await eventually(lambda: announced(stack, first), within=60, what="first overdue")
        assert at >= first_due  # announced once it fell due, not before

        second_due = soon(3)  # scheduled after the first was announced: the loop goes on
        second = await follow_up(second_due)
        [at] = await eventually(lambda: announced(stack, second), within=60, what="second overdue")
        assert at >= second_due
        # the first was looked at again on every pass since: still announced once
        assert len(await announced(stack, first) or []) == 1
        assert scheduler.returncode is None, log.read_text()
    finally:
        if scheduler.returncode is None:
            scheduler.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(scheduler.wait(), 30)
    text = log.read_text()
    assert code == 0, text[-3000:]
    assert "follow-ups announced overdue" in text and "Traceback" not in text, text[-3000:]


async def test_pavilion_token_mints_a_token_the_gateway_takes_for_its_role(
    stack: Stack, tmp_path: Path
):
    # as the README says the CLI runs: `uv run pavilion …`, from the checkout
    words = ["uv", "run", *argv("pavilion token --role VIEWER")]
    code, out = await run(words, environment(stack, UV_PYTHON_DOWNLOADS="never"), ROOT)
    assert code == 0, out
    viewer = out.strip().splitlines()[-1]
    email = f"ada.{uuid.uuid4().hex[:6]}@maple.example"
    input = {"name": "Ada Maple", "email": email, "country": "CA"}
    contact = await mutate(stack, "registerContact", input, "contact { id }")
    read = "query($id: ID!) { node(id: $id) { ... on Contact { country email name } } }"

    async def seen(token: str | None) -> Any:
        answer = await stack.data(read, as_=token, id=contact["contact"]["id"])
        return answer["node"]

    admin_sees = await eventually(lambda: seen(None), what="the contact projected")
    assert admin_sees == {"country": "CA", "email": email, "name": "Ada Maple"}
    assert await seen(viewer) == {"country": "CA", "email": None, "name": None}  # no personal data
    refused = await stack.query(
        "mutation($i: RegisterContactInput!) {"
        " registerContact(input: $i) { userErrors { code } } }",
        as_=viewer,
        i={**input, "email": f"x.{email}"},
    )
    assert refused["data"]["registerContact"]["userErrors"] == [{"code": "FORBIDDEN"}], refused


COLUMNS = (
    "company_name,country,supply_chain_areas,product_categories,contact_name,contact_email,"
    "contact_phone,organization_id,previous_editions,booth_size_sqm"
).split(",")


async def test_pavilion_import_exhibitors_submits_the_valid_rows_once_and_reports_the_rest(
    stack: Stack, tmp_path: Path
):
    words = argv("pavilion import exhibitors")
    sheet = tmp_path / words[-1]
    mark = uuid.uuid4().hex[:6]
    good = [f"Maple Freight {mark}", f"Sino Parts {mark}"]
    rows = [  # the last one's country is no ISO code
        [name, country, areas, "parts", "Jo Li", f"jo@{country}{mark}.example", "", "", "1", "9"]
        for name, country, areas in [
            (good[0], "CA", "SMART_VEHICLES"),
            (good[1], "CN", "CLEAN_ENERGY;GREEN_AGRICULTURE"),
            (f"Nowhere {mark}", "XX", "SMART_VEHICLES"),
        ]
    ]
    with sheet.open("w", newline="") as f:
        csv.writer(f).writerows([COLUMNS, *rows])

    code, out = await run(words, environment(stack), tmp_path)
    assert code == 1, out  # some rows rejected
    rejected = list(csv.DictReader((tmp_path / "fair.rejected.csv").open()))
    assert [r["company_name"] for r in rejected] == [f"Nowhere {mark}"], rejected
    assert "country" in str(rejected[0]), rejected

    query = """query($s: String!) { exhibitors(edition: "CISCE-2026", filter: {search: $s}) {
      edges { node { companyName status } } } }"""

    async def imported() -> list[Any] | None:
        edges = (await stack.data(query, s=mark))["exhibitors"]["edges"]
        return edges if len(edges) == 2 else None

    edges = await eventually(imported, what="the two valid rows projected")
    assert {e["node"]["companyName"] for e in edges} == set(good)
    assert {e["node"]["status"] for e in edges} == {"SUBMITTED"}

    code, out = await run(words, environment(stack), tmp_path)  # again: adds nothing
    assert code == 1, out
    edges = (await stack.data(query, s=mark))["exhibitors"]["edges"]
    assert len(edges) == 2, edges


async def test_pavilion_import_history_keeps_the_original_times_and_reports_the_refused_lines(
    stack: Stack, tmp_path: Path
):
    words = argv("pavilion import history")
    mark = uuid.uuid4().hex[:6]
    company = f"Old CRM Freight {mark}"
    submitted = datetime(2025, 10, 2, 9, 30, tzinfo=UTC)  # before the stack's story time
    app = application_id("CISCE-2026", None, company)
    entries = [
        {"occurredAt": submitted.isoformat(), "command": "SubmitApplication", "key": f"{mark}-1",
         "body": {"edition": "CISCE-2026", "companyName": company, "country": "CA",
                  "supplyChainAreas": ["SUPPLY_CHAIN_SERVICES"]}},
        {"occurredAt": "2025-10-09T10:00:00+08:00", "command": "StartReview", "key": f"{mark}-2",
         "body": {"applicationId": app}},
        {"occurredAt": "2031-01-01T00:00:00Z", "command": "ApproveApplication",
         "key": f"{mark}-3", "body": {"applicationId": app}},
    ]  # fmt: skip
    (tmp_path / words[-1]).write_text("\n".join(json.dumps(e) for e in entries) + "\n")

    code, out = await run(words, environment(stack), tmp_path)
    assert code == 1, out  # one line refused
    refused = list(csv.DictReader((tmp_path / "old-crm.refused.csv").open()))
    assert [(r["line"], r["command"]) for r in refused] == [("3", "ApproveApplication")], refused
    assert "in the future" in refused[0]["reasons"]

    query = """query($s: String!) { exhibitors(edition: "CISCE-2026", filter: {search: $s}) {
      edges { node { status timeline { edges { node { type occurredAt recordedAt } } } } } } }"""

    async def reviewed() -> list[Any] | None:
        edges = (await stack.data(query, s=mark))["exhibitors"]["edges"]
        return edges if edges and edges[0]["node"]["status"] == "UNDER_REVIEW" else None

    [edge] = await eventually(reviewed, what="the imported history projected")
    timeline = [e["node"] for e in edge["node"]["timeline"]["edges"]]
    assert [t["type"] for t in timeline] == ["ApplicationSubmitted", "ReviewStarted"]
    assert datetime.fromisoformat(timeline[0]["occurredAt"]) == submitted
    assert all(t["recordedAt"] > t["occurredAt"] for t in timeline)

    # again, as `python -m exhibitors.history FILE.jsonl --api URL`: adds nothing
    again = [
        *argv("python -m exhibitors.history")[:3],
        words[-1],
        "--api",
        stack.urls["exhibitors"],
    ]
    code, out = await run(again, environment(stack), tmp_path)
    assert code == 1 and "0 imported" in out and "2 already there" in out, out


async def test_pavilion_topics_create_makes_the_three_topics_and_their_dlq_twins(
    stack: Stack, tmp_path: Path, kafka: KafkaSettings
):
    names = {s: f"pavtest.{RUN}.{uuid.uuid4().hex[:6]}.{s}" for s in ("exhibitors", "outreach")}
    names["notifications"] = f"pavtest.{RUN}.{uuid.uuid4().hex[:6]}.notifications"
    env = environment(stack, **{f"PAVILION_{s.upper()}_TOPIC": t for s, t in names.items()})
    expected = {*names.values(), *map(dlq_topic, names.values())}

    code, out = await run(argv("pavilion topics create"), env, tmp_path)
    assert code == 0, out
    assert all(t in out for t in expected), out
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap)
    await admin.start()
    try:
        assert expected <= set(await admin.list_topics())
    finally:
        await admin.close()
    code, out = await run(argv("pavilion topics create"), env, tmp_path)
    assert code == 0 and "none (all there)" in out, out


async def test_pavilion_rebuild_read_model_swaps_in_a_new_generation_that_serves_on(
    stack: Stack, tmp_path: Path
):
    name = f"Rebuilt Co {uuid.uuid4().hex[:6]}"
    made = await mutate(
        stack,
        "registerOrganization",
        {"name": name, "kind": "COMPANY", "country": "US"},
        "organization { id }",
    )
    read_model = stack.env["PAVILION_GATEWAY_DATABASE_URL"]  # type: ignore[attr-defined]
    before = await _generation(read_model)

    code, out = await run(argv("pavilion rebuild-read-model"), environment(stack), tmp_path)
    assert code == 0, out
    now = await _generation(read_model)
    assert now > before and f"read model generation {now} is current" in out, out
    node = "query($id: ID!) { node(id: $id) { ... on Organization { name } } }"
    assert (await stack.data(node, id=made["organization"]["id"]))["node"] == {"name": name}


async def _generation(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT generation FROM read_model_current"))
    finally:
        await conn.close()


@pytest.mark.timeout(600)
async def test_pavilion_seed_demo_loads_the_delegations_trip_and_320_exhibitors(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path: Path
):
    """Once (a few minutes on a loaded machine): that a second load changes nothing is
    shown by the tests of the two loaders it calls (tests/unit/test_readme.py names them)."""
    apis = [("exhibitors", "api"), ("outreach", "api")]
    async with (
        scratch(templates, kafka) as env,
        running(apis, env, tmp_path, story_time=None) as stack,  # the real clock
    ):
        stack.env = env  # type: ignore[attr-defined]
        code, out = await run(argv("pavilion seed demo"), environment(stack), tmp_path)
        assert code == 0, out
        # README, "demo scenario": 45 organizations, 160 contacts, 36 interests, the
        # 4th edition's 320 exhibitors as history, in every state an application ends in,
        # and the 5th recruiting: offers to the 4th's confirmed ones, 80 new applications
        trip, states, fifth = out.strip().splitlines()[-3:]
        assert {"45 organizations", "160 contacts", "36 interests"} <= set(trip.split(", "))
        assert sum(int(state.split()[0]) for state in states.split(", ")) == 320, states
        reached = {state.split()[1].upper() for state in states.split(", ")}
        assert reached == set(ApplicationStatus), states
        outreach, exhibitors = (
            env["PAVILION_OUTREACH_DATABASE_URL"],
            env["PAVILION_EXHIBITORS_DATABASE_URL"],
        )
        assert await _count(outreach, "OrganizationRegistered") == 45
        assert await _count(exhibitors, "ApplicationSubmitted", "CISCE-2026") == 320
        recruited = dict(reversed(part.split(" ", 1)) for part in fifth.split(", "))
        offers = sum(int(n) for what, n in recruited.items() if what.startswith("offer "))
        assert offers == await _count(exhibitors, "RebookingOffered") > 0
        assert sum(int(n) for what, n in recruited.items() if not what.startswith("offer ")) == 80


async def _count(url: str, event_type: str, edition: str | None = None) -> int:
    """Events of `event_type` (of `edition`, if given)."""
    conn = await asyncpg.connect(url)
    try:
        query = """SELECT count(*) FROM events
                   WHERE type = $1 AND ($2::text IS NULL OR data->>'edition' = $2)"""
        return int(await conn.fetchval(query, event_type, edition))
    finally:
        await conn.close()
