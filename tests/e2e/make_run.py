"""`make run` as a newcomer runs it, on the suite's PostgreSQL with databases, roles and
ports of its own, and either on the suite's Kafka (topics and consumer groups of its own)
or on a Kafka it starts itself (`secured_cluster`): started, awaited until it prints
"Pavilion is ready." (the demo loaded), and stopped with Ctrl-C (SIGINT to its process
group) at the end, its databases and roles dropped. test_make_run.py checks make run
itself; the console's browser tests and the Kafka security tests drive the stack the
session's `made_run` starts."""

import asyncio
import contextlib
import os
import re
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.chaos.stack import free_ports
from tests.conftest import RUN
from tests.support import PG_URL, admin_sql, eventually, free_port

ROOT = Path(__file__).parents[2]
SERVICES = ("exhibitors", "outreach", "notifications", "gateway")


@dataclass
class MakeRun:
    run: str  # the prefix of its databases, roles, topics and consumer groups
    ports: dict[str, int]  # each service's (and notifications_public's, mailpit's, the registry's)
    output: Path  # what make run printed
    logs: Path
    kafka: dict[str, str] | None = None  # the environment of a Kafka of its own, if any
    process: asyncio.subprocess.Process | None = None
    code: int | None = None  # make run's exit code, once stopped

    @property
    def text(self) -> str:
        return self.output.read_text()

    @property
    def banner(self) -> str:
        return self.text[self.text.index("Pavilion is ready.") :]

    @property
    def kafka_bootstrap(self) -> str:
        """Every broker of its own cluster (secured_cluster)."""
        assert self.kafka is not None, "make run on the suite's Kafka"
        port = int(self.kafka["PAVILION_KAFKA_PORT"])
        return ",".join(f"127.0.0.1:{port + 2 * i}" for i in range(3))

    @property
    def kafka_passwords(self) -> dict[str, str]:
        """Each principal's password, as make run generated them (secured_cluster)."""
        lines = (self.output.parent / "kafka-credentials").read_text().split()
        return {
            name.removeprefix("PAVILION_KAFKA_").removesuffix("_PASSWORD").lower(): value
            for name, value in (line.split("=", 1) for line in lines)
        }

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    @property
    def sign_in_link(self) -> str:
        """The console's one-click dev sign-in link make run prints."""
        return re.search(r"sign in \(ADMIN\):\s+(\S+)", self.banner).group(1)  # type: ignore[union-attr]


# What deploy/env.sh derives from the settings make run is given below: the suite's own
# (exported by deploy/with-infra.sh, which `make test` runs under) would point make run at
# the suite's registry port and backup directory instead of its own.
DERIVED = ("PAVILION_REGISTRY_URL", "PAVILION_REGISTRY_EXTERNAL", "PAVILION_BACKUP_DIR")


def _environment(
    state: Path, run: str, ports: dict[str, int], kafka: dict[str, str] | None
) -> dict[str, str]:
    """`kafka`, when given, is the environment of a Kafka of make run's own (started and
    stopped by it, so with the services' own topic and group names); else make run uses
    the suite's, with topics and groups of its own."""
    topics = {s: f"{run}.{s}" for s in SERVICES if s != "gateway"}
    venv_bin = str(Path(sys.executable).parent)
    names = {
        **{f"PAVILION_{s.upper()}_TOPIC": t for s, t in topics.items()},
        "PAVILION_GATEWAY_TOPICS": ",".join(topics.values()),
        "PAVILION_GATEWAY_GROUP": f"{run}.projector",
        "PAVILION_EXHIBITORS_REACTOR_GROUP": f"{run}.exhibitors",
        "PAVILION_OUTREACH_REACTOR_GROUP": f"{run}.outreach",
        "PAVILION_NOTIFICATIONS_APP_ID": f"{run}-notifications",
    }
    suite_kafka = {"PAVILION_KAFKA_EXTERNAL": "1", **names}
    return {
        # a newcomer's shell: not inside the test runner's virtual environment
        # (and not the test session's vault: make run makes its own, <run>_vault)
        **{
            k: v
            for k, v in os.environ.items()
            if k not in ("VIRTUAL_ENV", "PAVILION_VAULT_DATABASE_URL", *DERIVED)
            and not (kafka is not None and (k.startswith("PAVILION_KAFKA_") or k in names))
        },
        "PATH": os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin),
        "PAVILION_STATE_DIR": str(state),
        "PAVILION_LOG_DIR": str(state / "logs"),
        "PAVILION_PG_URL": PG_URL,
        "PAVILION_PG_EXTERNAL": "1",
        # databases and roles <run>_<service>, made by make run (deploy/postgres.sh)
        "PAVILION_DB_PREFIX": run,
        "PAVILION_SMTP_PORT": str(free_port()),
        **{f"PAVILION_{s.upper()}_PORT": str(p) for s, p in ports.items()},
        **(suite_kafka if kafka is None else kafka),
    }


def secured_cluster() -> dict[str, str]:
    """The environment of a Kafka of make run's own, as a bigger deployment runs it: three
    KRaft nodes (replication 3, min.insync.replicas 2), SASL/SCRAM and ACLs, each
    process as its service's principal."""
    port = free_ports(6)  # each node's broker and controller ports, 2 apart
    return {
        "PAVILION_KAFKA_NODES": "3",
        "PAVILION_KAFKA_SASL": "1",
        "PAVILION_KAFKA_PORT": str(port),
        "PAVILION_KAFKA_CONTROLLER_PORT": str(port + 1),
    }


@asynccontextmanager
async def make_run(
    state: Path, within: float = 480, kafka: dict[str, str] | None = None
) -> AsyncIterator[MakeRun]:
    """make run, ready; stopped (and its databases and roles dropped) on leaving.
    `kafka`: the environment of a Kafka of its own (see _environment). `within` counts
    the schema registry's start and the schemas' registration too (10-40 s here,
    depending on the machine's load)."""
    run = f"pavtest_{RUN}_run_{uuid.uuid4().hex[:6]}"
    servers = (*SERVICES, "notifications_public", "mailpit", "registry", "registry_management")
    ports = {s: free_port() for s in servers}
    launched = MakeRun(run, ports, state / "make-run.out", state / "logs", kafka)
    launched.process = process = await asyncio.create_subprocess_exec(
        "make",
        "run",
        cwd=ROOT,
        env=_environment(state, run, ports, kafka),
        stdout=launched.output.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches the whole group, as in a terminal
    )
    try:

        async def ready() -> bool:
            assert process.returncode is None, launched.text[-3000:]
            return "Pavilion is ready." in launched.text

        await eventually(ready, what="make run ready", within=within, interval=0.5)
        yield launched
    finally:
        with contextlib.suppress(ProcessLookupError):  # it may have stopped on its own
            os.killpg(process.pid, signal.SIGINT)
        launched.code = await asyncio.wait_for(process.wait(), 120)
        for service in (*SERVICES, "vault", "registry"):
            await admin_sql(f"DROP DATABASE IF EXISTS {run}_{service} WITH (FORCE)")
        for role in (*SERVICES, "vault", "vault_writer", "vault_reader", "registry"):
            await admin_sql(f"DROP ROLE IF EXISTS {run}_{role}")
