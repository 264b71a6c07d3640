"""Backups that restore, on a PostgreSQL of the test's own (deploy/postgres.sh with
PAVILION_BACKUP=1, a private state directory and port; never the suite's server): a
commit acknowledged after the base backup survives the data directory's deletion, a
restore to a point in time leaves out what came after it, and `pavilion backup` refuses
what it cannot do without changing anything."""

import asyncio
import os
import shutil
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from pavilion_ops import backup
from pavilion_ops.cli import app
from typer.testing import CliRunner

from bench.chaos.stack import free_ports

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.skipif(shutil.which("pgbackrest") is None, reason="no pgbackrest")


@dataclass
class Server:
    env: dict[str, str]
    state: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.env['PAVILION_PG_PORT']}/postgres"

    @property
    def repo(self) -> backup.Repository:
        return backup.Repository(self.state / "backup" / "pgbackrest.conf")

    async def script(self, action: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            ROOT / "deploy" / "postgres.sh", action, env=self.env
        )
        assert await asyncio.wait_for(proc.wait(), 300) == 0

    async def sql(self, query: str) -> object:
        """The first value of a query's answer; statements (several, too) answer None."""
        connection = await asyncpg.connect(self.url)
        try:
            if query.startswith("SELECT"):
                return await connection.fetchval(query)
            await connection.execute(query)
            return None
        finally:
            await connection.close()

    def crash_and_lose_the_data_directory(self) -> None:
        data = self.state / "pg" / "data"
        postmaster = (data / "postmaster.pid").read_text().split()[0]
        os.kill(int(postmaster), signal.SIGKILL)
        subprocess.run(["pkill", "-KILL", "-P", postmaster], check=False)  # its backends
        shutil.rmtree(data)


@pytest.fixture
async def server() -> AsyncIterator[Server]:
    # under /var/tmp as deploy/env.sh's default: the postgres user must reach it
    state = Path(f"/var/tmp/pavilion-backup-test-{uuid.uuid4().hex[:8]}")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PAVILION_")},
        "PAVILION_STATE_DIR": str(state),
        "PAVILION_PG_PORT": str(free_ports(1)),
        "PAVILION_BACKUP": "1",
        "PAVILION_PG_FSYNC": "off",
    }
    running = Server(env, state)
    await running.script("start")  # with a first full backup
    try:
        yield running
    finally:
        await running.script("stop")
        shutil.rmtree(state, ignore_errors=True)


async def test_every_acknowledged_commit_survives_the_loss_of_the_data_directory(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the commands an operator types: `pavilion backup run`, `… restore`."""
    monkeypatch.setenv("PAVILION_BACKUP_DIR", str(server.state / "backup"))
    runner = CliRunner()
    await server.sql("CREATE TABLE acknowledged (n int); INSERT INTO acknowledged VALUES (1)")
    made = await asyncio.to_thread(runner.invoke, app, ["backup", "run", "--type", "incr"])
    assert made.exit_code == 0, made.output
    # after the base backup: in no archived segment yet, only in the stream
    await server.sql("INSERT INTO acknowledged SELECT generate_series(2, 500)")
    await server.sql("INSERT INTO acknowledged VALUES (501)")
    server.crash_and_lose_the_data_directory()

    restored = await asyncio.to_thread(runner.invoke, app, ["backup", "restore"])
    assert restored.exit_code == 0, restored.output
    await server.script("start")

    assert await server.sql("SELECT count(*) FROM acknowledged") == 501
    await server.sql("INSERT INTO acknowledged VALUES (502)")  # writable, receiver back
    assert [b.kind for b in backup.catalogue(server.repo).backups] == ["full", "incr"]


async def test_a_backup_prunes_the_streamed_segments_the_archive_has(server: Server) -> None:
    for _ in range(3):  # whole segments, archived and streamed
        await server.sql("CREATE TABLE IF NOT EXISTS filler (n int); SELECT pg_switch_wal()")
        await server.sql("INSERT INTO filler VALUES (1)")
    stream = server.state / "backup" / "wal"
    streamed = {f.name for f in stream.iterdir()}
    made = await asyncio.to_thread(backup.run, server.repo, "incr")

    archived = backup.catalogue(server.repo).wal_max
    assert archived is not None and made.wal_stop <= archived
    left = {f.name for f in stream.iterdir()}
    assert {n for n in streamed if n[8:24] < archived[8:]}.isdisjoint(left)
    assert any(n[8:24] >= archived[8:] for n in left), left  # the tail stays


async def test_a_restore_to_a_point_in_time_leaves_out_what_came_after(server: Server) -> None:
    await server.sql("CREATE TABLE kept (n int); INSERT INTO kept VALUES (1)")
    await asyncio.sleep(1.1)  # the server's clock: commits on either side of `between`
    between = datetime.now(UTC)
    await asyncio.sleep(1.1)
    await server.sql("INSERT INTO kept VALUES (2)")
    await server.script("stop")

    await asyncio.to_thread(backup.restore, server.repo, between)
    await server.script("start")

    assert await server.sql("SELECT array_agg(n) FROM kept") == [1]
    await server.sql("INSERT INTO kept VALUES (3)")  # a new timeline, writable


async def test_restore_refuses_while_the_server_runs_and_a_time_before_every_backup(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAVILION_BACKUP_DIR", str(server.state / "backup"))
    runner = CliRunner()

    running = runner.invoke(app, ["backup", "restore"])
    assert running.exit_code == 1
    assert "PostgreSQL is running" in running.output
    assert await server.sql("SELECT 1") == 1

    await server.script("stop")
    before = sorted(p.name for p in (server.state / "pg" / "data").iterdir())
    early = runner.invoke(app, ["backup", "restore", "--to", "2020-01-01T00:00:00+00:00"])
    assert early.exit_code == 1
    assert "the oldest backup ends at" in early.output
    naive = runner.invoke(app, ["backup", "restore", "--to", "2020-01-01T00:00:00"])
    assert naive.exit_code != 0  # a time without its zone is no --to
    assert sorted(p.name for p in (server.state / "pg" / "data").iterdir()) == before

    listed = runner.invoke(app, ["backup", "list"])
    assert listed.exit_code == 0 and "full" in listed.output, listed.output


def test_the_cli_says_where_the_backups_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAVILION_BACKUP_DIR", raising=False)
    result = CliRunner().invoke(app, ["backup", "list"])
    assert result.exit_code == 1 and "PAVILION_BACKUP_DIR is not set" in result.output
