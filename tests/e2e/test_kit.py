"""The integrator kit's example against the running services: applications made through
GraphQL reach pavilion.exhibitors.v1, and the example consumer
(`python -m pavilion_kit.examples.exhibitors_mirror`, as README.md shows it, with a
consumer group of its own) ends with
the same exhibitors of the edition as the gateway's read model, then follows a live
change, and stops cleanly on SIGTERM."""

import asyncio
import base64
import signal
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import Stack, running, scratch
from tests.e2e.test_gateway import EDITION, mutate, submit
from tests.readme import argv
from tests.support import eventually

PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
]
Exhibitors = dict[str, tuple[Any, ...]]


@pytest.fixture(scope="module")
async def stack_and_env(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Stack, dict[str, str]]]:
    async with (
        scratch(templates, kafka) as env,
        running(PROCESSES, env, tmp_path_factory.mktemp("kit-logs")) as stack,
    ):
        yield stack, env


async def read_model(stack: Stack) -> Exhibitors:
    """The edition's exhibitors as the gateway shows them, by application id."""
    data = await stack.data(
        "query($e: String!) { exhibitors(edition: $e, first: 100) { edges { node {"
        " id companyName country status booth { hall code } } } } }",
        e=EDITION,
    )
    return dict(shown(edge["node"]) for edge in data["exhibitors"]["edges"])


def shown(node: dict[str, Any]) -> tuple[str, tuple[Any, ...]]:
    """An Exhibitor node (id companyName country status booth { hall code }) as the
    example mirrors it: its application id, and the row of its copy."""
    booth = node["booth"] or {"hall": None, "code": None}
    return local(node["id"]), (
        node["companyName"], node["country"], node["status"], booth["hall"], booth["code"]
    )  # fmt: skip


def local(node_id: str) -> str:
    """The application id (as on the topic) of an Exhibitor's GraphQL id."""
    kind, application = base64.urlsafe_b64decode(node_id).decode().split(":", 1)
    assert kind == "Exhibitor"
    return application


def mirrored(db: Path) -> Exhibitors:
    """The example's local copy, by application id (empty before it made its table)."""
    try:
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT application_id, company_name, country, status, booth_hall, booth_code"
                " FROM exhibitors WHERE edition = ?",
                (EDITION,),
            ).fetchall()
    except sqlite3.OperationalError:  # not created yet
        return {}
    return {row[0]: row[1:] for row in rows}


async def step(stack: Stack, mutation: str, application: str, **extra: Any) -> None:
    payload = await mutate(stack, mutation, {"applicationId": application, **extra})
    assert payload["userErrors"] == [], (mutation, payload)


async def contracted(stack: Stack, company: str) -> str:
    application: str = (await submit(stack, company))["exhibitor"]["id"]
    await step(stack, "startReview", application)
    await step(stack, "approveApplication", application)
    await step(
        stack, "issueContract", application, amount="80000.00", currency="CNY", dueDate="2026-03-31"
    )
    await step(stack, "signContract", application)
    await step(
        stack, "recordPayment", application, amount="80000.00", currency="CNY", reference="SWIFT-9"
    )
    return application


async def test_the_example_mirror_ends_with_the_read_models_exhibitors(
    stack_and_env: tuple[Stack, dict[str, str]], kafka: KafkaSettings, tmp_path: Path
):
    stack, env = stack_and_env
    for code in ("N1-01", "N1-02"):
        booth = await mutate(
            stack,
            "defineBooth",
            {"edition": EDITION, "hall": "N1", "boothCode": code, "sizeSqm": 36,
             "supplyChainArea": "SMART_VEHICLES"},
            fields="userErrors { code message }",
        )  # fmt: skip
        assert booth["userErrors"] == [], booth
    confirmed = await contracted(stack, "Great Lakes Axles")
    await step(stack, "assignBooth", confirmed, hall="N1", boothCode="N1-01")
    await step(stack, "confirmParticipation", confirmed)
    withdrawn = await contracted(stack, "Harbour Cranes")
    await step(stack, "assignBooth", withdrawn, hall="N1", boothCode="N1-02")
    await step(stack, "withdrawApplication", withdrawn, reason="budget cut")
    rejected = (await submit(stack, "Nope Trading", country="DE"))["exhibitor"]["id"]
    await step(stack, "startReview", rejected)
    await step(stack, "rejectApplication", rejected, reason="out of scope")
    submitted = (await submit(stack, "Fresh Batteries", country="FR"))["exhibitor"]["id"]
    expected = await read_model(stack)  # mutations answer once the read model shows them
    assert len(expected) == 4
    assert {s for _, _, s, _, _ in expected.values()} == {
        "CONFIRMED", "WITHDRAWN", "REJECTED", "SUBMITTED"
    }  # fmt: skip

    db = tmp_path / "mirror.sqlite"
    python, *words = argv("python -m pavilion_kit.examples.exhibitors_mirror")  # the README's
    assert python == "python" and EDITION in words
    mirror = await asyncio.create_subprocess_exec(
        sys.executable,
        *words,  # then this run's own group, file and topic (the last of an option wins)
        "--group",
        f"integrator.mirror-{uuid.uuid4().hex[:8]}",
        "--db",
        str(db),
        "--topic",
        env["PAVILION_EXHIBITORS_TOPIC"],
        env={"PAVILION_KAFKA_BOOTSTRAP": kafka.bootstrap, "PATH": "/usr/bin:/bin"},
        stdout=(tmp_path / "mirror.log").open("wb"),
        stderr=asyncio.subprocess.STDOUT,
    )

    async def converges(within: float) -> None:
        async def caught_up() -> bool:
            return mirrored(db) == await read_model(stack)

        try:
            await eventually(caught_up, within=within, interval=0.2, what="the mirror caught up")
        except AssertionError:
            assert mirrored(db) == await read_model(stack)  # pytest shows the difference
            raise

    try:
        await converges(within=60)
        # it follows live events too
        await step(stack, "updateExhibitorProfile", submitted, companyName="Fresh Cells")
        assert (await read_model(stack))[local(submitted)][0] == "Fresh Cells"
        await converges(within=30)
    finally:
        if mirror.returncode is None:
            mirror.send_signal(signal.SIGTERM)
        await asyncio.wait_for(mirror.wait(), timeout=30)
    assert mirror.returncode == 0, (tmp_path / "mirror.log").read_text()
