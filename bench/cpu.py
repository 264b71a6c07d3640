"""CPU-seconds per operation of each process a figure involves: utime+stime from
/proc/<pid>/stat before and after the load, for a process with all its descendants
(an API with worker processes counts as one), and for PostgreSQL's backends serving a
database (the postmaster's children whose pg_stat_activity says so). Backends that
connect and leave between the two readings are missed (the services keep pools)."""

import os
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg

TICK = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> int:
    """utime+stime of `pid` (all its threads), 0 if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(c) for c in task.read_text().split()]
        except OSError:
            continue
    return found


def tree(pid: int) -> list[int]:
    """`pid` and every living descendant."""
    pids, i = [pid], 0
    while i < len(pids):
        pids += _children(pids[i])
        i += 1
    return pids


def _seconds(pids: list[int]) -> dict[int, float]:
    return {pid: _ticks(pid) / TICK for pid in pids}


async def _backends(url: str) -> list[int]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


class Usage:
    """What `cpu` measured: CPU-seconds by label, once the block is over."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def per(self, operations: float) -> dict[str, float]:
        """CPU milliseconds per operation, by label (`cpu_<label>_ms`)."""
        return {
            f"cpu_{label}_ms": round(seconds * 1000 / operations, 3)
            for label, seconds in self.seconds.items()
            if operations
        }


@asynccontextmanager
async def cpu(
    processes: Mapping[str, int | None],
    databases: Mapping[str, str] | None = None,
    *,
    own: bool = False,
) -> AsyncIterator[Usage]:
    """CPU-seconds used during the block by each labelled process tree, by the backends
    of each labelled database URL and, if `own`, by this process ("bench": a peer
    library measured in it)."""
    usage, databases = Usage(), databases or {}
    mine = time.process_time()

    async def reading() -> dict[str, dict[int, float]]:
        now = {label: _seconds(tree(pid)) for label, pid in processes.items() if pid}
        for label, url in databases.items():
            now[label] = _seconds(await _backends(url))
        return now

    before = await reading()
    yield usage
    after = await reading()
    if own:
        usage.seconds["bench"] = time.process_time() - mine
    for label, pids in after.items():
        usage.seconds[label] = sum(s - before[label].get(pid, 0.0) for pid, s in pids.items())
