"""`make run` as a newcomer runs it: it reaches "ready" with the demo data loaded, the
sample query it prints returns exhibitors through GraphQL, and stopping it stops every
process it started. Here it uses the suite's PostgreSQL and Kafka (it starts neither)
with databases, topics and ports of its own."""

import asyncio
import contextlib
import os
import re
import signal
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from tests.conftest import RUN
from tests.support import PG_URL, admin_sql, eventually, free_port

ROOT = Path(__file__).parents[2]


@pytest.mark.timeout(600)
async def test_make_run_reaches_ready_with_the_demo_and_stops_cleanly(tmp_path: Path):
    run = f"pavtest_{RUN}_run_{uuid.uuid4().hex[:6]}"
    services = ("exhibitors", "outreach", "notifications", "gateway")
    topics = {s: f"{run}.{s}" for s in services if s != "gateway"}
    ports = {s: free_port() for s in services}
    venv_bin = str(Path(sys.executable).parent)
    env = {
        # a newcomer's shell: not inside the test runner's virtual environment
        **{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},
        "PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin),
        "PAVILION_STATE_DIR": str(tmp_path),
        "PAVILION_LOG_DIR": str(tmp_path / "logs"),
        "PAVILION_PG_EXTERNAL": "1",
        "PAVILION_KAFKA_EXTERNAL": "1",
        "PAVILION_SMTP_PORT": str(free_port()),
        **{f"PAVILION_{s.upper()}_PORT": str(p) for s, p in ports.items()},
        **{f"PAVILION_{s.upper()}_DATABASE_URL": f"{PG_URL}/{run}_{s}" for s in services},
        **{f"PAVILION_{s.upper()}_TOPIC": t for s, t in topics.items()},
        "PAVILION_GATEWAY_TOPICS": ",".join(topics.values()),
        "PAVILION_GATEWAY_GROUP": f"{run}.projector",
        "PAVILION_EXHIBITORS_REACTOR_GROUP": f"{run}.exhibitors",
        "PAVILION_OUTREACH_REACTOR_GROUP": f"{run}.outreach",
        "PAVILION_NOTIFICATIONS_APP_ID": f"{run}-notifications",
    }
    for service in services:
        await admin_sql(f"CREATE DATABASE {run}_{service}")
    output = tmp_path / "make-run.out"
    process = await asyncio.create_subprocess_exec(
        "make",
        "run",
        cwd=ROOT,
        env=env,
        stdout=output.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches the whole group, as in a terminal
    )
    try:

        async def ready() -> bool:
            assert process.returncode is None, output.read_text()[-3000:]
            return "Pavilion is ready." in output.read_text()

        await eventually(ready, what="make run ready", within=420, interval=0.5)
        text = output.read_text()
        token = re.search(r"Bearer (\S+)\"", text).group(1)  # type: ignore[union-attr]
        query = re.search(r"-d '(\{\"query\".*\})'", text).group(1)  # type: ignore[union-attr]
        async with httpx.AsyncClient(timeout=30) as http:
            answer = await http.post(
                f"http://127.0.0.1:{ports['gateway']}/graphql",
                content=query,
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
        assert answer.status_code == 200, answer.text
        exhibitors = answer.json()["data"]["exhibitors"]
        assert exhibitors["totalCount"] >= 300, (exhibitors, text[-3000:])
        assert len(exhibitors["edges"]) == 5
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have stopped on its own
            os.killpg(process.pid, signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 120)
        for service in services:
            await admin_sql(f"DROP DATABASE IF EXISTS {run}_{service} WITH (FORCE)")
    text = output.read_text()
    assert "stopping..." in text, text[-3000:]
    assert code in (0, 2, 130, -signal.SIGINT), (code, text[-3000:])
    await eventually(lambda: _group_gone(process.pid), what="every process stopped", within=60)
    logs = {p.name for p in (tmp_path / "logs").glob("*.log")}
    assert {"gateway-api.log", "gateway-projector.log", "exhibitors-relay.log"} <= logs
    for log in ("gateway-api.log", "exhibitors-api.log"):
        assert "Application shutdown complete" in (tmp_path / "logs" / log).read_text()


async def _group_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False
