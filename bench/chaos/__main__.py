"""`make chaos` (`python -m bench.chaos [--only NAME,...]`): every fault of
bench/chaos/faults.py under load against a stack of its own (its own PostgreSQL, Kafka,
ports and state directory), a line per fault, and the figures as JSON in
bench/results/chaos-<timestamp>.json. Figures, never assertions; the exit status says
whether every fault passed (nothing lost, nothing twice, back within 10 s)."""

import argparse
import asyncio
import json
import logging
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.chaos.faults import FAULTS
from bench.chaos.run import Timing, chaos, header
from bench.chaos.stack import ROOT, Stack, make_run_processes

RESULTS = Path(__file__).parents[1] / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument(
        "--only", default="", help=f"comma-separated faults (default all): {', '.join(FAULTS)}"
    )
    parser.add_argument("--writers", type=int, default=Timing.writers)
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help=f"where the JSON goes (default {RESULTS})"
    )
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(FAULTS)
    if unknown := [n for n in names if n not in FAULTS]:
        parser.error(f"no such fault: {', '.join(unknown)}")
    os.environ.setdefault("PAVILION_ENV", "dev")  # the development secrets, as make run
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)
    stamp, began = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"), time.monotonic()
    processes = make_run_processes()

    def report(text: str) -> None:
        print(text, flush=True)

    report(header())
    results = asyncio.run(
        chaos(
            names,
            lambda fault: Stack(processes, kafka_nodes=fault.kafka_nodes, backup=fault.backup),
            Timing(writers=args.writers),
            report,
        )
    )
    args.results.mkdir(parents=True, exist_ok=True)
    out = args.results / f"chaos-{stamp}.json"
    document = {
        "at": stamp,
        "commit": _commit(),
        "seconds": round(time.monotonic() - began),
        "processes": processes,
        "faults": results,
    }
    out.write_text(json.dumps(document, indent=2, default=str))
    failed = [r["fault"] for r in results if not r["passed"]]
    report(f"\n{len(results) - len(failed)} of {len(results)} passed; written to {out}")
    return 1 if failed else 0


def _commit() -> str:
    """HEAD, with "+changes" when the working tree differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    dirty = bool(git("status", "--porcelain", "--untracked-files=no").strip())
    return git("rev-parse", "--short", "HEAD").strip() + ("+changes" if dirty else "")


if __name__ == "__main__":
    sys.exit(main())
