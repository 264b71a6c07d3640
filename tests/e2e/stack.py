"""The services as real processes (`python -m <service> <role>`) on fresh databases and
topics, and a GraphQL client that speaks to the gateway with a bearer token."""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from gateway.auth import Role, mint
from gateway.config import AuthSettings
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import ensure_topics

from tests.conftest import RUN, _fresh_database
from tests.support import STORY_TIME, eventually, free_port

JWT_SECRET = "a-test-secret-that-is-long-enough-for-hs256"
AUTH = AuthSettings(
    secret=JWT_SECRET, jwks_url=None, issuer="pavilion", audience="pavilion-gateway"
)


def token(role: Role = Role.ADMIN, *applications: str, subject: str = "staff:ada") -> str:
    return mint(AUTH, subject, role, applications=list(applications) or None)


@dataclass
class Stack:
    urls: dict[str, str]
    processes: dict[str, asyncio.subprocess.Process] = field(default_factory=dict)

    @property
    def graphql(self) -> str:
        return f"{self.urls['gateway']}/graphql"

    async def query(
        self, query: str, *, as_: str | None = None, **variables: Any
    ) -> dict[str, Any]:
        """POST a GraphQL request (as ADMIN unless `as_` gives another token)."""
        headers = {"authorization": f"Bearer {as_ or token()}"}
        async with httpx.AsyncClient(timeout=30) as http:
            response = await http.post(
                self.graphql, json={"query": query, "variables": variables}, headers=headers
            )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def data(self, query: str, *, as_: str | None = None, **variables: Any) -> Any:
        result = await self.query(query, as_=as_, **variables)
        assert "errors" not in result, result["errors"]
        return result["data"]


@asynccontextmanager
async def scratch(templates: dict[str, str], kafka: KafkaSettings) -> AsyncIterator[dict[str, str]]:
    """Fresh topics and databases for a whole stack, and the settings that point every
    service at them (the databases are dropped afterwards)."""
    run = uuid.uuid4().hex[:8]
    topics = {s: f"pavtest.{RUN}.{run}.{s}" for s in ("exhibitors", "outreach", "notifications")}
    await ensure_topics(kafka, list(topics.values()))
    kinds = ("eventstore", "outreach", "notifications", "readmodel")
    databases = [_fresh_database(templates[kind]) for kind in kinds]
    store, outreach, notifications, read_model = [await anext(d) for d in databases]
    try:
        yield {
            "PAVILION_EXHIBITORS_DATABASE_URL": store,
            "PAVILION_OUTREACH_DATABASE_URL": outreach,
            "PAVILION_NOTIFICATIONS_DATABASE_URL": notifications,
            "PAVILION_GATEWAY_DATABASE_URL": read_model,
            "PAVILION_EXHIBITORS_TOPIC": topics["exhibitors"],
            "PAVILION_OUTREACH_TOPIC": topics["outreach"],
            "PAVILION_NOTIFICATIONS_TOPIC": topics["notifications"],
            "PAVILION_GATEWAY_TOPICS": ",".join(topics.values()),
            "PAVILION_GATEWAY_GROUP": f"{run}.projector",
            "PAVILION_EXHIBITORS_REACTOR_GROUP": f"{run}.exhibitors",
            "PAVILION_OUTREACH_REACTOR_GROUP": f"{run}.outreach",
            "PAVILION_NOTIFICATIONS_APP_ID": f"pavtest-{run}-notifications",
        }
    finally:
        for database in databases:
            await anext(database, None)


@asynccontextmanager
async def running(
    processes: list[tuple[str, str]],
    env: dict[str, str],
    logs: Path,
    story_time: datetime | None = STORY_TIME,
) -> AsyncIterator[Stack]:
    """The processes, their clock at `story_time` from now on (None: the real clock)."""
    services = {service for service, _ in processes}
    ports = {service: free_port() for service in services}
    clock = {}
    if story_time is not None:
        clock = {
            "PAVILION_SIMULATED_START": story_time.isoformat(),
            "PAVILION_SIMULATED_SINCE": datetime.now(UTC).isoformat(),  # one clock for all
        }
    real = {k: v for k, v in os.environ.items() if not k.startswith("PAVILION_SIMULATED_")}
    env = {
        **real,
        **env,
        **{f"PAVILION_{s.upper()}_PORT": str(p) for s, p in ports.items()},
        **{f"PAVILION_{s.upper()}_URL": f"http://127.0.0.1:{p}" for s, p in ports.items()},
        **clock,
        "PAVILION_JWT_SECRET": JWT_SECRET,
    }
    stack = Stack({s: f"http://127.0.0.1:{p}" for s, p in ports.items()})
    for service, role in processes:
        stack.processes[f"{service}-{role}"] = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            service,
            role,
            env=env,
            stdout=(logs / f"{service}-{role}.log").open("wb"),
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        async with httpx.AsyncClient() as http:
            for service, url in stack.urls.items():
                if (service, "api") in processes:
                    # an API of several spawned workers starts each one from scratch: on a loaded
                    # machine that alone has taken over a minute
                    await eventually(lambda u=url: _ready(http, u), within=120, what=f"{url} ready")
        yield stack
    finally:
        await _stop(stack, logs)


async def _ready(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(f"{url}/readyz")).status_code == 200
    except httpx.TransportError:
        return False


async def _stop(stack: Stack, logs: Path) -> None:
    for process in stack.processes.values():
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    codes = {name: await asyncio.wait_for(p.wait(), 20) for name, p in stack.processes.items()}
    texts = {name: (logs / f"{name}.log").read_text() for name in stack.processes}
    for name, text in texts.items():
        print(f"--- {name}\n{text[-3000:]}")
    # Workers exit 0 after their last batch; uvicorn re-raises SIGTERM after its graceful
    # shutdown, so the APIs show -SIGTERM and say so in their logs.
    for name, code in codes.items():
        if name.endswith("-api"):
            assert code in (0, -signal.SIGTERM), codes
            assert "Application shutdown complete" in texts[name]
        else:
            assert code == 0, codes
