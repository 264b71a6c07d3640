"""`python -m bench --profile`: py-spy samples the measured process of scenarios 1, 4, 5
and 6 while they run, and each profile is written next to the results as collapsed
stacks (`<stamp>-<scenario>.folded`, for flame-graph tools) with a summary of the
functions that take the most samples (`.txt`)."""

import asyncio
import shutil
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

TARGET: list[Path] = []  # the path prefix of this run's profiles, when profiling


@asynccontextmanager
async def profiling(pid: int | None, name: str) -> AsyncIterator[None]:
    """Sample process `pid` for as long as the block runs."""
    if not TARGET or pid is None:
        yield
        return
    spy = shutil.which("py-spy")
    if spy is None:
        raise RuntimeError("--profile needs py-spy (a dev dependency: make install)")
    folded = TARGET[0].with_name(f"{TARGET[0].name}-{name}.folded")
    proc = await asyncio.create_subprocess_exec(
        spy,
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--output",
        str(folded),
        "--nonblocking",
        "--subprocesses",  # an API's worker processes, not only their supervisor
        "--rate",
        "200",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        yield
    finally:
        proc.send_signal(2)  # py-spy writes what it has on SIGINT
        await asyncio.wait_for(proc.wait(), 60)
    if folded.exists():
        folded.with_suffix(".txt").write_text(summary(folded))


def summary(folded: Path, top: int = 40) -> str:
    """Where the samples were taken, by package and by function (self), and the
    functions on the most sampled stacks (inclusive; an await splits a stack)."""
    inclusive, own, packages, total = Counter[str](), Counter[str](), Counter[str](), 0
    for line in folded.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        samples, frames = int(count), [_frame(f) for f in stack.split(";")]
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
        packages[_package(frames[-1])] += samples
    lines = [f"{total} samples", "", "self, by package:"]
    lines += [f"{n / total:6.1%}  {p}" for p, n in packages.most_common(top // 2)]
    lines += ["", "self, by function:"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in own.most_common(top // 2)]
    lines += ["", "inclusive:"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    return "\n".join(lines) + "\n"


def _package(frame: str) -> str:
    """The top-level package of a `function (package/file.py)` frame."""
    where = frame.partition(" (")[2].rstrip(")")
    return where.split("/", 1)[0] if "/" in where else where or frame


def _frame(frame: str) -> str:
    """`function (module/file.py:line)` without the line: one entry per function."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit(':', 1)[0]})" if where else name
