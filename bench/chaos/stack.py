"""A whole Pavilion stack of its own for fault injection: PostgreSQL and Kafka started by
the deploy scripts under a private state directory and ports, and the processes of
`make run` (deploy/run.sh's list) under a supervisor that restarts whatever exits, as
run.sh's supervisor and Kubernetes do, and notes every exit. Nothing here touches the
developer's or the test suite's servers: every pid it signals is one it started, or one
read from its own state directory."""

import asyncio
import os
import random
import re
import shutil
import signal
import socket
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
SERVICES = ("exhibitors", "outreach", "notifications", "gateway")
APIS = {"exhibitors api": "exhibitors", "outreach api": "outreach",
        "notifications api": "notifications", "gateway api": "gateway"}  # fmt: skip
CATCHER = "smtp catcher"
RESTART_DELAY = 1.0  # the supervisor's back-off before restarting a process that exited


def make_run_processes() -> list[str]:
    """The processes `make run` starts ("service role"), read from deploy/run.sh."""
    block = re.search(r"PROCESSES=\((.*?)\)", (DEPLOY / "run.sh").read_text(), re.S)
    assert block, "deploy/run.sh has no PROCESSES list"
    return re.findall(r'"([a-z]+ [a-z]+)"', block.group(1))


# Below Linux's ephemeral range (32768-60999): a client that keeps reconnecting to a
# server that is down may otherwise be given the server's own port as its source port
# and connect to itself (a TCP self-connect), and then the server cannot bind it again.
SERVER_PORTS = range(20000, 32000)


def free_ports(count: int) -> int:
    """The first of `count` consecutive loopback ports nothing listens on, for servers
    that are killed and started again while their clients retry."""
    while True:
        base = random.randrange(SERVER_PORTS.start, SERVER_PORTS.stop - count)
        if all(_free(base + i) for i in range(count)):
            return base


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class Exit:
    name: str
    at: float  # time.monotonic()
    code: int | None
    planned: bool  # the fault's own kill, not a crash


@dataclass
class Supervised:
    """One process, restarted after RESTART_DELAY whenever it exits (unless held)."""

    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    exits: list[Exit]
    proc: asyncio.subprocess.Process | None = None
    since: float = 0.0  # when the current incarnation started
    held: bool = False
    planned: bool = False
    stopping: bool = False
    task: asyncio.Task[None] | None = None

    async def _spawn(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            *self.args, env=self.env, stdout=self.log.open("ab"), stderr=asyncio.subprocess.STDOUT
        )
        self.since = time.monotonic()

    async def supervise(self) -> None:
        while True:
            if self.proc is None or self.proc.returncode is not None:
                if self.stopping:
                    return
                if not self.held:
                    await self._spawn()
            assert self.proc is not None
            if self.proc.returncode is None:
                code = await self.proc.wait()
                if self.stopping:
                    return
                self.exits.append(Exit(self.name, time.monotonic(), code, self.planned))
                self.planned = False
            await asyncio.sleep(RESTART_DELAY)  # the restart back-off, a schedule

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.returncode is None

    def kill(self, *, planned: bool = True) -> None:
        if self.alive:
            assert self.proc is not None
            self.planned = planned
            self.proc.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        self.stopping = True
        if self.alive:
            assert self.proc is not None
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                self.proc.kill()
        if self.task:
            self.task.cancel()


@dataclass
class Stack:
    """Settings for a stack; `up()` starts it, `down()` stops it."""

    processes: list[str]
    kafka_nodes: int = 1
    backup: bool = False  # PAVILION_BACKUP=1: archiving and the WAL streamed (backup_dir)
    # True: the suite's or a developer's servers (PAVILION_PG_URL and
    # PAVILION_KAFKA_BOOTSTRAP), never signalled; only databases and topics of our own
    external: bool = False
    run: str = field(default_factory=lambda: f"chaos_{uuid.uuid4().hex[:6]}")
    state: Path = Path()
    ports: dict[str, int] = field(default_factory=dict)
    supervised: dict[str, Supervised] = field(default_factory=dict)
    exits: list[Exit] = field(default_factory=list)
    # the story's clock runs from here for every process, and a restarted one goes on
    since: str = field(default_factory=lambda: datetime.now(UTC).isoformat())

    def __post_init__(self) -> None:
        if self.state == Path():  # outside the checkout, as deploy/env.sh's default
            self.state = Path(f"/var/tmp/pavilion-{self.run}")
        kafka = free_ports(4 * self.kafka_nodes)
        names = ("pg", *(f"{s}_http" for s in SERVICES), "public", "smtp")
        self.ports = {n: free_ports(1) for n in names}
        self.ports |= {"kafka": kafka, "controller": kafka + 1}

    @property
    def pg_url(self) -> str:
        if self.external:
            return os.environ.get("PAVILION_PG_URL", "postgresql://postgres@127.0.0.1:55432")
        return f"postgresql://postgres@127.0.0.1:{self.ports['pg']}"

    @property
    def backup_dir(self) -> Path:
        return self.state / "backup"

    @property
    def bootstrap(self) -> str:
        if self.external:
            return os.environ.get("PAVILION_KAFKA_BOOTSTRAP", "127.0.0.1:19092")
        ports = (self.ports["kafka"] + 2 * i for i in range(self.kafka_nodes))
        return ",".join(f"127.0.0.1:{p}" for p in ports)

    def database(self, service: str) -> str:
        return f"{self.run}_{service}"

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service + '_http']}"

    @property
    def mail(self) -> Path:
        return self.state / "mail"

    def topic(self, service: str) -> str:
        return f"{self.run}.{service}"

    def env(self) -> dict[str, str]:
        """What deploy/env.sh and run.sh would set, pointed at this stack's own names."""
        server = self.pg_url.split("://", 1)[1].split("@")[-1].split("/")[0]
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PAVILION_")},
            "PAVILION_ENV": "dev",
            "PAVILION_STATE_DIR": str(self.state),
            "PAVILION_LOG_DIR": str(self.state / "logs"),
            "PAVILION_DB_PREFIX": self.run,
            "PAVILION_PG_URL": self.pg_url,
            "PAVILION_PG_PORT": str(self.ports["pg"]),
            "PAVILION_PG_EXTERNAL": "1" if self.external else "0",
            "PAVILION_BACKUP": "1" if self.backup else "0",
            "PAVILION_BACKUP_DIR": str(self.backup_dir),
            "PAVILION_KAFKA_BOOTSTRAP": self.bootstrap,
            "PAVILION_KAFKA_EXTERNAL": "1" if self.external else "0",
            "PAVILION_KAFKA_PORT": str(self.ports["kafka"]),
            "PAVILION_KAFKA_CONTROLLER_PORT": str(self.ports["controller"]),
            "PAVILION_KAFKA_NODES": str(self.kafka_nodes),
            "PAVILION_KAFKA_REPLICATION": "3" if self.kafka_nodes > 1 else "1",
            "PAVILION_SMTP_PORT": str(self.ports["smtp"]),
            "PAVILION_NOTIFICATIONS_PUBLIC_PORT": str(self.ports["public"]),
            "PAVILION_NOTIFICATIONS_PUBLIC_URL": f"http://127.0.0.1:{self.ports['public']}",
            "PAVILION_JWT_SECRET": "pavilion-dev-secret-not-for-production-use",
            "PAVILION_SIMULATED_START": "2025-12-01T09:00:00Z",
            "PAVILION_SIMULATED_SINCE": self.since,
            "PAVILION_WEBHOOKS_ALLOWED_NETWORKS": "127.0.0.0/8",
            "PAVILION_GATEWAY_TOPICS": ",".join(
                self.topic(s) for s in ("exhibitors", "outreach", "notifications")
            ),
            "PAVILION_GATEWAY_GROUP": f"{self.run}.projector",
            "PAVILION_EXHIBITORS_REACTOR_GROUP": f"{self.run}.exhibitors",
            "PAVILION_OUTREACH_REACTOR_GROUP": f"{self.run}.outreach",
            "PAVILION_NOTIFICATIONS_APP_ID": f"{self.run}-notifications",
        }
        for s in SERVICES:
            role = self.database(s)
            env[f"PAVILION_{s.upper()}_DATABASE_URL"] = f"postgresql://{role}@{server}/{role}"
            env[f"PAVILION_{s.upper()}_PORT"] = str(self.ports[f"{s}_http"])
            env[f"PAVILION_{s.upper()}_URL"] = self.url(s)
            if s != "gateway":
                env[f"PAVILION_{s.upper()}_TOPIC"] = self.topic(s)
        return env

    async def script(self, name: str, action: str) -> None:
        """deploy/<name>.sh <action> for this stack (postgres.sh start makes the roles
        and databases, on an external server too)."""
        log = (self.state / "logs" / "deploy.log").open("ab")
        proc = await asyncio.create_subprocess_exec(
            str(DEPLOY / f"{name}.sh"), action, env=self.env(), stdout=log, stderr=log
        )
        if await asyncio.wait_for(proc.wait(), 300) != 0:
            raise RuntimeError(f"deploy/{name}.sh {action} failed; see {self.state}/logs")

    async def up(self) -> None:
        (self.state / "logs").mkdir(parents=True, exist_ok=True)
        self.mail.mkdir(exist_ok=True)
        await self.script("postgres", "start")
        await self.script("kafka", "start")
        catcher = ["-m", "tests.smtp_catcher", "--port", str(self.ports["smtp"])]
        self.add(CATCHER, [*catcher, "--dir", str(self.mail)])
        for process in self.processes:
            self.add(process, ["-m", *process.split()])
        await self.ready(within=120)

    def add(self, name: str, args: list[str]) -> Supervised:
        log = self.state / "logs" / f"{name.replace(' ', '-')}.log"
        one = Supervised(name, [sys.executable, *args], self.env(), log, self.exits)
        one.task = asyncio.create_task(one.supervise())
        self.supervised[name] = one
        return one

    async def remove(self, name: str) -> None:
        await self.supervised.pop(name).stop()

    async def ready(self, within: float) -> float | None:
        """Seconds until every process runs and every API answers /readyz, or None."""
        started = time.monotonic()
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() - started < within:
                if all(p.alive for p in self.supervised.values()) and await self._apis(http):
                    return time.monotonic() - started
                await asyncio.sleep(0.2)  # polling, with the deadline above
        return None

    async def _apis(self, http: httpx.AsyncClient) -> bool:
        for process, service in APIS.items():
            if process in self.supervised:
                try:
                    if (await http.get(f"{self.url(service)}/readyz")).status_code != 200:
                        return False
                except httpx.TransportError:
                    return False
        return True

    async def down(self) -> None:
        for one in list(self.supervised.values()):
            await one.stop()
        if self.external:
            await self._drop_databases()
        else:
            await self.script("kafka", "stop")
            await self.script("postgres", "stop")
            for data in ("pg", "kafka", "backup"):  # the logs stay for a post-mortem
                shutil.rmtree(self.state / data, ignore_errors=True)

    async def _drop_databases(self) -> None:
        admin = await asyncpg.connect(f"{self.pg_url}/postgres")
        try:
            for service in SERVICES:
                name = self.database(service)
                await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                await admin.execute(f"DROP ROLE IF EXISTS {name}")
        finally:
            await admin.close()
