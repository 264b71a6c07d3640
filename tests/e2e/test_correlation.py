"""One correlation id, followed through the logs of every process a command touched: the
gateway's API, the owning service's API and relay, the gateway's projector and the
notifications worker that emailed the applicant."""

import contextlib
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import ensure_topics

from tests.conftest import RUN
from tests.e2e.stack import Stack, running, token
from tests.smtp_catcher import Mailbox
from tests.support import eventually

PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("gateway", "projector"),
    ("gateway", "api"),
    ("notifications", "worker"),
]


@pytest.fixture
async def stack(
    store_url: str,
    read_model_url: str,
    notifications_url: str,
    kafka: KafkaSettings,
    mailbox: tuple[int, Mailbox],
    tmp_path: Path,
) -> AsyncIterator[Stack]:
    run = uuid.uuid4().hex[:8]
    topics = {s: f"pavtest.{RUN}.{run}.{s}" for s in ("exhibitors", "outreach", "notifications")}
    await ensure_topics(kafka, list(topics.values()))
    env = {
        "PAVILION_EXHIBITORS_DATABASE_URL": store_url,
        "PAVILION_GATEWAY_DATABASE_URL": read_model_url,
        "PAVILION_NOTIFICATIONS_DATABASE_URL": notifications_url,
        "PAVILION_EXHIBITORS_TOPIC": topics["exhibitors"],
        "PAVILION_OUTREACH_TOPIC": topics["outreach"],
        "PAVILION_NOTIFICATIONS_TOPIC": topics["notifications"],
        "PAVILION_GATEWAY_TOPICS": ",".join(topics.values()),
        "PAVILION_GATEWAY_GROUP": f"{run}.projector",
        "PAVILION_NOTIFICATIONS_APP_ID": f"pavtest-{run}-notifications",
        "PAVILION_SMTP_PORT": str(mailbox[0]),
    }
    async with running(PROCESSES, env, tmp_path) as stack:
        yield stack


async def test_a_commands_correlation_id_is_in_the_logs_of_every_process_it_touched(
    stack: Stack, mailbox: tuple[int, Mailbox], tmp_path: Path
):
    trace = f"trace-{uuid.uuid4()}"
    mutation = """mutation($input: SubmitExhibitorApplicationInput!) {
      submitExhibitorApplication(input: $input) { exhibitor { id } userErrors { message } } }"""
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            stack.graphql,
            json={
                "query": mutation,
                "variables": {
                    "input": {
                        "edition": "CISCE-2026",
                        "companyName": "Traceable Tractors",
                        "country": "IT",
                        "supplyChainAreas": ["GREEN_AGRICULTURE"],
                        "contacts": [{"name": "Gia Rossi", "email": "gia@traceable.example"}],
                    }
                },
            },
            headers={"authorization": f"Bearer {token()}", "x-correlation-id": trace},
        )
    assert response.status_code == 200 and response.headers["x-correlation-id"] == trace
    assert response.json()["data"]["submitExhibitorApplication"]["userErrors"] == []

    await eventually(lambda: _mailed(mailbox[1]), within=90, what="the applicant emailed")
    processes = [f"{service}-{role}" for service, role in PROCESSES]

    def untraced() -> list[str]:
        return [p for p in processes if trace not in (tmp_path / f"{p}.log").read_text()]

    async def all_traced() -> bool:  # batch log lines may come a moment after the email
        return not untraced()

    with contextlib.suppress(AssertionError):
        await eventually(all_traced, within=20, what="the id in every log")
    assert untraced() == [], f"{trace} is not in the logs of {untraced()}"


async def _mailed(box: Mailbox) -> bool:
    return any("gia@traceable.example" in str(m["To"]) for m in box.messages())
