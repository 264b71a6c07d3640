"""The running processes ride out their dependencies going away: a PostgreSQL server
stopped in immediate mode and started again with `pg_ctl`, a broker SIGKILLed and
started again. Meanwhile the APIs stay alive (`/healthz`) but not ready, and answer a
typed UNAVAILABLE — a gateway worker that dies then is replaced by one that starts
without the database; afterwards every process is still running and nothing accepted
is missing. And a long transaction in another database of the cluster does not hold back
a mutation's visibility, while one in the service's own database shows as held back.

PostgreSQL and Kafka here are private instances (deploy/postgres.sh and kafka.sh with
a state directory and ports of their own): the suite's servers are never restarted."""

# ruff: noqa: E501  (GraphQL documents read best on one line)

import asyncio
import os
import re
import shutil
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import ensure_topics

from bench.chaos.stack import free_ports
from tests.e2e.stack import Stack, running, scratch
from tests.support import PG_URL, eventually, signed

ROOT = Path(__file__).parents[2]
PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("exhibitors", "scheduler"),  # its sweeps fail while PostgreSQL is away, then go on
    ("gateway", "projector"),
    ("gateway", "api"),
]
SUBMIT = """mutation($input: SubmitExhibitorApplicationInput!) {
  submitExhibitorApplication(input: $input) { exhibitor { id companyName } userErrors { code message } } }"""
NAMES = 'query { exhibitors(edition: "CISCE-2026", first: 50) { edges { node { companyName } } } }'


@dataclass
class Private:
    """A PostgreSQL or Kafka of the test's own, started by the deploy scripts."""

    env: dict[str, str]

    def script(self, name: str, command: str) -> None:
        subprocess.run([str(ROOT / "deploy" / f"{name}.sh"), command], env=self.env, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip

    def kafka_pid(self) -> int:
        return int(Path(self.env["PAVILION_STATE_DIR"], "kafka", "kafka.pid").read_text())

    def pg_ctl(self, *args: str) -> None:
        """pg_ctl on the private cluster, as its owner (the postgres user, if we are root)."""
        pg_ctl = sorted(glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
        owner = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        data = f"{self.env['PAVILION_STATE_DIR']}/pg/data"
        subprocess.run([*owner, pg_ctl, "-D", data, "-w", *args], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip


@contextmanager
def private(**settings: str) -> Iterator[Private]:
    state = Path(f"/var/tmp/pavtest-{uuid.uuid4().hex[:8]}")  # reachable by the postgres user
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAVILION_")},
        "PAVILION_STATE_DIR": str(state),
        "PAVILION_LOG_DIR": str(state / "logs"),
        **settings,
    }
    try:
        yield Private(env)
    finally:
        for name in ("kafka", "postgres"):
            subprocess.run([str(ROOT / "deploy" / f"{name}.sh"), "stop"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        shutil.rmtree(state, ignore_errors=True)


@asynccontextmanager
async def stack_on(env: dict[str, str], logs: Path) -> AsyncIterator[Stack]:
    async with running(PROCESSES, env, logs) as stack:
        yield stack


async def submit(stack: Stack, name: str, wait: bool = True) -> dict[str, Any]:
    return await stack.query(
        SUBMIT,
        input={"edition": "CISCE-2026", "companyName": name, "country": "CA", "wait": wait,
               "supplyChainAreas": ["SMART_VEHICLES"], "idempotencyKey": f"outage-{name.replace(' ', '-')}"},
    )  # fmt: skip


async def shown(stack: Stack) -> set[str]:
    data = await stack.data(NAMES)
    return {edge["node"]["companyName"] for edge in data["exhibitors"]["edges"]}


def codes(answer: dict[str, Any]) -> set[str]:
    return {e.get("extensions", {}).get("code") for e in answer.get("errors", [])}


def alive(stack: Stack) -> dict[str, int | None]:
    return {name: p.returncode for name, p in stack.processes.items() if p.returncode is not None}


@pytest.mark.timeout(300)
async def test_the_processes_ride_out_a_postgresql_restart(kafka: KafkaSettings, tmp_path: Path):
    topic = f"pavtest.outage.{uuid.uuid4().hex[:8]}.exhibitors"
    await ensure_topics(kafka, [topic])
    port = free_ports(1)  # restarted while clients retry: not an ephemeral port
    with private(PAVILION_PG_PORT=str(port), PAVILION_PG_FSYNC="off") as pg:
        pg.script("postgres", "start")
        url = f"postgresql://{{0}}@127.0.0.1:{port}/{{0}}"
        env = {
            "PAVILION_EXHIBITORS_DATABASE_URL": url.format("pavilion_exhibitors"),
            "PAVILION_GATEWAY_DATABASE_URL": url.format("pavilion_gateway"),
            "PAVILION_EXHIBITORS_TOPIC": topic,
            "PAVILION_GATEWAY_TOPICS": topic,
            "PAVILION_GATEWAY_GROUP": f"{topic}.projector",
            "PAVILION_VAULT_DATABASE_URL": "",  # the vault beside them: restarted too
            "PAVILION_GATEWAY_WORKERS": "2",
            "PAVILION_EXHIBITORS_EXPIRY_INTERVAL": "1",
        }
        async with stack_on(env, tmp_path) as stack, httpx.AsyncClient(timeout=10) as http:
            first = await submit(stack, "Before Outage")
            assert first["data"]["submitExhibitorApplication"]["exhibitor"], first

            pg.pg_ctl("-m", "immediate", "stop")
            exhibitors, gateway = stack.urls["exhibitors"], stack.urls["gateway"]
            for api in (exhibitors, gateway):
                assert (await http.get(f"{api}/healthz")).status_code == 200
                assert (await http.get(f"{api}/readyz")).status_code == 503
            refused = await http.post(
                f"{exhibitors}/applications", auth=signed("exhibitors"),
                json={"edition": "CISCE-2026", "companyName": "Refused", "country": "CA",
                      "supplyChainAreas": ["SMART_VEHICLES"]},
            )  # fmt: skip
            assert refused.status_code == 503, refused.text
            assert refused.json()["error"]["code"] == "UNAVAILABLE"
            assert int(refused.headers["retry-after"]) > 0
            assert codes(await submit(stack, "During Outage")) == {"UNAVAILABLE"}
            assert codes(await stack.query(NAMES)) == {"UNAVAILABLE"}
            # the metrics still answer, the refused command's 503 among them, and say
            # which figures they could not read
            for api, figures in ((gateway, "projection_lag"), (exhibitors, "outbox")):
                scraped = await http.get(f"{api}/metrics")
                assert scraped.status_code == 200, scraped.text
                assert f'pavilion_metrics_refreshed{{figures="{figures}"}} 0.0' in scraped.text
            assert re.search(r'_count\{[^}]*service="exhibitors",status="503"', scraped.text)
            # a gateway worker that dies now is replaced by one that starts without
            # the database: the API stays up, not ready, and serves once it is back
            replaced = _workers(stack.processes["gateway-api"].pid)[0]
            os.kill(replaced, signal.SIGKILL)
            await eventually(lambda: _replaced(stack, replaced, tmp_path), within=90,
                             what="the worker replaced and started")  # fmt: skip
            assert (await http.get(f"{gateway}/healthz")).status_code == 200
            assert (await http.get(f"{gateway}/readyz")).status_code == 503

            pg.script("postgres", "start")  # pg_ctl start, as make run starts it
            for api in (exhibitors, gateway):
                await eventually(
                    lambda a=api: _ready(http, a, stack), what=f"{api} ready again", within=30
                )
            await eventually(lambda: _accepted(stack, "After Outage"), what="a mutation", within=30)
            scraped = await http.get(f"{exhibitors}/metrics")
            assert 'pavilion_metrics_refreshed{figures="outbox"} 1.0' in scraped.text
            await eventually(lambda: _all_shown(stack, {"Before Outage", "After Outage"}),
                             what="all in the read model", within=30)  # fmt: skip
            assert not alive(stack), f"processes exited: {alive(stack)}"


@pytest.mark.timeout(300)
async def test_the_processes_ride_out_a_broker_killed_and_restarted(
    templates: dict[str, str], tmp_path: Path
):
    base = free_ports(2)  # restarted while clients retry: not ephemeral ports
    ports = {"PAVILION_KAFKA_PORT": str(base), "PAVILION_KAFKA_CONTROLLER_PORT": str(base + 1)}
    with private(**ports) as broker:
        broker.script("kafka", "start")
        kafka = KafkaSettings(
            f"127.0.0.1:{ports['PAVILION_KAFKA_PORT']}", partitions=3, replication=1
        )
        async with scratch(templates, kafka) as env:
            env = {**env, "PAVILION_KAFKA_BOOTSTRAP": kafka.bootstrap}
            async with stack_on(env, tmp_path) as stack:
                assert (await submit(stack, "Before Broker Loss"))["data"][
                    "submitExhibitorApplication"
                ]["exhibitor"]
                pid = broker.kafka_pid()
                os.kill(pid, signal.SIGKILL)
                await eventually(lambda: _gone(pid), what="the broker gone", within=10)
                assert not await _listening(base), "the broker still answers"
                # Commands are still taken (the event store is up); they wait in the outbox.
                accepted = await submit(stack, "While Broker Down", wait=False)
                assert not accepted.get("errors"), accepted
                broker.script("kafka", "start")
                await eventually(
                    lambda: _all_shown(stack, {"Before Broker Loss", "While Broker Down"}),
                    what="the outbox drained into the read model",
                    within=90,
                )
                await eventually(
                    lambda: _accepted(stack, "After Broker Back"), what="a mutation", within=30
                )
                assert not alive(stack), f"processes exited: {alive(stack)}"


async def test_a_long_transaction_elsewhere_does_not_hold_back_a_mutation_but_one_here_shows(
    templates: dict[str, str], kafka: KafkaSettings, tmp_path: Path
):
    async with scratch(templates, kafka) as env, stack_on(env, tmp_path) as stack:
        async with _open_transaction(f"{PG_URL}/postgres"):  # another database of the cluster
            answer = await submit(stack, "Not Held Back")
            assert answer["data"]["submitExhibitorApplication"]["exhibitor"], answer

        async with (
            _open_transaction(env["PAVILION_EXHIBITORS_DATABASE_URL"]),
            httpx.AsyncClient() as http,
        ):
            await submit(stack, "Held Back", wait=False)
            metrics = f"{stack.urls['exhibitors']}/metrics"
            await eventually(lambda: _held_back(http, metrics), what="held back shown", within=10)
            assert "Held Back" not in await shown(stack)
        await eventually(lambda: _all_shown(stack, {"Held Back"}), what="published once it ended")


@asynccontextmanager
async def _open_transaction(url: str) -> AsyncIterator[None]:
    """A write transaction left open (it holds a transaction id) for the block."""
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_current_xact_id()")
            yield
    finally:
        await conn.close()


async def _held_back(http: httpx.AsyncClient, metrics: str) -> bool:
    text = (await http.get(metrics)).text
    line = next(
        ln for ln in text.splitlines() if ln.startswith("pavilion_relay_held_back_seconds{")
    )
    return float(line.rsplit(" ", 1)[1]) > 0


async def _ready(http: httpx.AsyncClient, api: str, stack: Stack) -> bool:
    assert not alive(stack), f"processes exited: {alive(stack)}"
    return (await http.get(f"{api}/readyz")).status_code == 200


def _workers(pid: int) -> list[int]:
    """The API worker processes uvicorn's supervisor `pid` spawned (not its resource tracker)."""
    children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


async def _replaced(stack: Stack, worker: int, logs: Path) -> bool:
    """The gateway's supervisor has started another worker in place of `worker`, and
    that one has finished its start (its first two and it: three, or more if a loaded
    machine made the supervisor replace a slow one again)."""
    assert not alive(stack), f"processes exited: {alive(stack)}"
    started = (logs / "gateway-api.log").read_text().count("Application startup complete")
    return worker not in _workers(stack.processes["gateway-api"].pid) and started >= 3


async def _accepted(stack: Stack, name: str) -> bool:
    answer = await submit(stack, name)
    return bool(
        not answer.get("errors") and answer["data"]["submitExhibitorApplication"]["exhibitor"]
    )


async def _all_shown(stack: Stack, names: set[str]) -> bool:
    result = await stack.query(NAMES)
    return "errors" not in result and names <= {
        e["node"]["companyName"] for e in result["data"]["exhibitors"]["edges"]
    }


async def _listening(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return False
    writer.close()
    return True


async def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False
