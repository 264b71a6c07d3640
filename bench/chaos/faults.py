"""The faults. Each `inject` runs while the writers write and returns when the fault is
over (the server restarted, the process killed, the outage ended); recovery is timed
from then. Processes are killed with SIGKILL by pid: pids the stack started, or read
from its own state directory (PostgreSQL's postmaster.pid, Kafka's pid files)."""

import asyncio
import contextlib
import os
import shutil
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from pavilion_core.service_tokens import service_client
from pavilion_ops import backup

from bench.chaos.stack import CATCHER, Stack

SMTP_DOWN = 30.0
WEBHOOK_HANG = 30.0
LONG_TRANSACTION = 20.0
BROKER_DOWN = 15.0
RESTORE_WRITES = 5.0


@dataclass(frozen=True)
class Fault:
    name: str
    what: str
    inject: Callable[[Stack], Awaitable[None]]
    own_infra: bool = False  # signals PostgreSQL or Kafka: never on shared servers
    kafka_nodes: int = 1
    extra: tuple[str, ...] = ()  # processes added for this fault: "service role#n"
    backup: bool = False  # PostgreSQL with PAVILION_BACKUP=1


def kill_process(name: str) -> Callable[[Stack], Awaitable[None]]:
    async def inject(stack: Stack) -> None:
        stack.supervised[name].kill()

    return inject


async def pg_kill(stack: Stack) -> None:
    """SIGKILL the postmaster and every backend (a crash), then deploy/postgres.sh start."""
    await _kill_postgres(stack)
    await stack.script("postgres", "start")


async def pg_restore(stack: Stack) -> None:
    """The restore drill: an incremental base backup taken under load, RESTORE_WRITES
    seconds more writing, then PostgreSQL SIGKILLed and its data directory deleted;
    restored (`pavilion backup restore`: the backup, the archived WAL, the streamed tail)
    and started again."""
    repo = backup.Repository(stack.backup_dir / "pgbackrest.conf")
    await asyncio.to_thread(backup.run, repo, "incr")
    await asyncio.sleep(RESTORE_WRITES)  # writes after the base backup, in WAL only
    await _kill_postgres(stack)
    shutil.rmtree(stack.state / "pg/data")
    await asyncio.to_thread(backup.restore, repo)
    await stack.script("postgres", "start")


async def _kill_postgres(stack: Stack) -> None:
    postmaster = _pid(stack.state / "pg/data/postmaster.pid")
    backends = _children(postmaster)
    for pid in [postmaster, *backends]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    # pg_ctl takes an unreaped postmaster for a running one: wait for the reaper too
    for pid in [postmaster, *backends]:
        await _gone(pid, reaped=True)


async def broker_kill(stack: Stack) -> None:
    """SIGKILL the (only) broker, then deploy/kafka.sh start (log recovery included)."""
    await _kill_node(stack, stack.state / "kafka/kafka.pid")
    await stack.script("kafka", "start")


async def cluster_broker_loss(stack: Stack) -> None:
    """SIGKILL broker 2 of 3, BROKER_DOWN seconds without it, then start it again."""
    await _kill_node(stack, stack.state / "kafka/node-2/kafka.pid")
    await asyncio.sleep(BROKER_DOWN)  # the length of the outage
    await stack.script("kafka", "start")


async def smtp_down(stack: Stack) -> None:
    """The SMTP catcher killed and kept down for SMTP_DOWN seconds."""
    catcher = stack.supervised[CATCHER]
    catcher.held = True
    catcher.kill()
    await asyncio.sleep(SMTP_DOWN)  # the length of the outage
    catcher.held = False


async def webhook_hang(stack: Stack) -> None:
    """An endpoint for every event that accepts connections and never answers, for
    WEBHOOK_HANG seconds; then it is disabled."""
    hung: list[asyncio.StreamWriter] = []

    async def never_answer(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hung.append(writer)

    server = await asyncio.start_server(never_answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with service_client(
        "notifications", stack.url("notifications"), "staff:chaos"
    ) as notifications:
        made = await notifications.post(
            "/webhooks", json={"url": f"http://127.0.0.1:{port}/hook", "eventTypes": ["*"]}
        )
        made.raise_for_status()
        await asyncio.sleep(WEBHOOK_HANG)  # the length of the fault
        await notifications.post(f"/webhooks/{made.json()['id']}/disable", json={})
    for writer in hung:
        writer.close()
    server.close()


async def long_transaction(stack: Stack) -> None:
    """A transaction with an xid held open LONG_TRANSACTION seconds in another database
    of the same cluster (it holds back the cluster-wide snapshot horizon)."""
    admin = await asyncpg.connect(f"{stack.pg_url}/postgres")
    other = f"{stack.run}_other"
    try:
        await admin.execute(f"CREATE DATABASE {other}")
        elsewhere = await asyncpg.connect(f"{stack.pg_url}/{other}")
        try:
            async with elsewhere.transaction():
                await elsewhere.execute("CREATE TABLE busy (n int); INSERT INTO busy VALUES (1)")
                await elsewhere.execute("SELECT pg_sleep($1)", LONG_TRANSACTION)
        finally:
            await elsewhere.close()
        await admin.execute(f"DROP DATABASE {other} WITH (FORCE)")
    finally:
        await admin.close()


async def relay_pg_loss(stack: Stack) -> None:
    """The exhibitors relay's PostgreSQL connections terminated by the server
    (pg_terminate_backend on the backends whose client ports are the relay's sockets)."""
    relay = stack.supervised["exhibitors relay"].proc
    assert relay is not None
    ports = _local_ports(relay.pid)
    admin = await asyncpg.connect(f"{stack.pg_url}/postgres")
    try:
        ended = await admin.fetch(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND client_port = any($2::int[])",
            stack.database("exhibitors"),
            ports,
        )
    finally:
        await admin.close()
    if not ended:
        raise RuntimeError("the relay holds no PostgreSQL connection to terminate")


async def projector_pair(stack: Stack) -> None:
    """Of two projector instances in one group, the first killed while it projects."""
    stack.supervised["gateway projector"].kill()


FAULTS = {
    f.name: f
    for f in [
        Fault("relay-kill", "SIGKILL of the exhibitors relay", kill_process("exhibitors relay")),
        Fault("relay-pg-loss", "the relay's PostgreSQL connections terminated", relay_pg_loss),
        Fault("projector-kill", "SIGKILL of the gateway projector",
              kill_process("gateway projector")),
        Fault("reactor-kill", "SIGKILL of the outreach reactor (reads the exhibitors topic)",
              kill_process("outreach reactor")),
        Fault("notifications-kill", "SIGKILL of the notifications worker",
              kill_process("notifications worker")),
        Fault("projector-pair", "one of two gateway projectors SIGKILLed mid-batch",
              projector_pair, extra=("gateway projector#2",)),
        Fault("smtp-down", f"SMTP down for {SMTP_DOWN:.0f} s", smtp_down),
        Fault("webhook-hang", f"a webhook endpoint that never answers, {WEBHOOK_HANG:.0f} s",
              webhook_hang),
        Fault("long-transaction", f"a {LONG_TRANSACTION:.0f} s write transaction in another"
              " database of the cluster", long_transaction, own_infra=True),
        Fault("pg-kill", "PostgreSQL SIGKILL (postmaster and backends), then restart",
              pg_kill, own_infra=True),
        Fault("pg-restore", "PostgreSQL SIGKILLed and its data directory deleted, restored"
              " from a base backup and the WAL", pg_restore, own_infra=True, backup=True),
        Fault("broker-kill", "Kafka broker SIGKILL, then restart", broker_kill, own_infra=True),
        Fault("cluster-broker-loss", f"1 of 3 KRaft brokers SIGKILLed for {BROKER_DOWN:.0f} s"
              " (replication 3, min.insync.replicas 2)", cluster_broker_loss,
              own_infra=True, kafka_nodes=3),
    ]
}  # fmt: skip


def _children(parent: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError):
            if f"\nPPid:\t{parent}\n" in status.read_text():
                found.append(int(status.parent.name))
    return found


async def _kill_node(stack: Stack, pidfile: Path) -> None:
    pid = _pid(pidfile)
    os.kill(pid, signal.SIGKILL)
    await _gone(pid)


async def _gone(pid: int, within: float = 30, *, reaped: bool = False) -> None:
    """Until `pid` has exited (a zombie counts as exited, unless `reaped`)."""
    deadline, done = time.monotonic() + within, ("",) if reaped else ("", "Z")
    while time.monotonic() < deadline:
        if _state(pid) in done:
            return
        await asyncio.sleep(0.1)  # polling, with the deadline above
    raise RuntimeError(f"pid {pid} still runs {within} s after SIGKILL")


def _pid(pidfile: Path) -> int:
    return int(pidfile.read_text().split()[0])


def _state(pid: int) -> str:
    """The process's state letter ("Z": a zombie), "" once it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return ""


def _local_ports(pid: int) -> list[int]:
    """The local TCP ports of `pid`'s sockets (from /proc: no psutil here)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = []
    for table in ("tcp", "tcp6"):
        for line in Path(f"/proc/net/{table}").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.append(int(fields[1].rsplit(":", 1)[1], 16))
    return ports
