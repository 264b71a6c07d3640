"""`make bench` (`python -m bench [--quick]`): every baseline and scenario that runs here,
a table of figures with the same-run baseline each is measured against (as a ratio),
and the table as JSON in bench/results/<timestamp>.json. Figures, never assertions."""

import argparse
import asyncio
import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from pavilion_core.config import KafkaSettings

from bench import baselines, scenarios, stack
from bench.lag import lag
from bench.measure import Figure
from bench.notify import notifications
from bench.profile import TARGET

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Size:
    rows: int  # B_copy
    messages: int  # B_kafka
    seconds: float  # of load for each closed-loop HTTP figure
    append_s: float  # of scenario 1's load
    events: int  # on the topic the replay reads
    lag_s: tuple[float, float, float]  # of scenario 3 at 10 %, 50 % and 80 %
    emails: int  # scenario 6's burst


SIZES = {
    "smoke": Size(2_000, 2_000, 1, 1.5, 2_000, (1, 1, 1), 100),  # every figure, no more
    "quick": Size(20_000, 20_000, 2, 4, 10_000, (3, 3, 3), 500),
    "full": Size(100_000, 100_000, 15, 30, 1_000_000, (30, 30, 300), 10_000),
}


async def run(mode: str, logs: Path) -> list[Figure]:
    # the run's vault, for every process it starts (connecting as the superuser, they
    # make its tables)
    async with stack.database("vault") as vault:
        os.environ["PAVILION_VAULT_DATABASE_URL"] = vault
        return await measured(mode, logs)


async def measured(mode: str, logs: Path) -> list[Figure]:
    size, kafka = SIZES[mode], KafkaSettings.from_env()
    copy = await baselines.copy(size.rows)
    produce, consume = await baselines.kafka(kafka, size.messages)
    ping = await baselines.kafka_latency(kafka, 200)
    asgi = await baselines.asgi(size.seconds, 16, logs)
    appends, relayed, topic, appended = await scenarios.append_and_relay(
        kafka, size.append_s, 8, logs
    )
    history = max(0, size.events - appended)
    replay, page, board = await scenarios.replay_and_query(
        kafka, topic, appended, history, size.seconds, logs
    )
    runs = list(zip((0.1, 0.5, 0.8), size.lag_s, strict=True))
    low, half, high = await lag(kafka, appends.value, runs, logs)
    smtp, emails = await notifications(kafka, size.emails, logs)
    for figure, baseline in [
        (appends, copy),
        (relayed, produce),
        (replay, copy),
        (page, asgi),
        (board, asgi),
        (low, ping),
        (half, ping),
        (high, ping),
        (emails, smtp),
    ]:
        against(figure, baseline)
    baselines_ = [copy, produce, consume, ping, asgi, smtp]
    scenarios_ = [appends, relayed, low, half, high, replay, page, board, emails]
    return [*baselines_, *scenarios_]


def against(figure: Figure, baseline: Figure) -> None:
    figure.baseline, figure.baseline_value = baseline.name, baseline.value


def table(figures: list[Figure]) -> str:
    lines = [f"{'figure':<18} {'value':>12} {'unit':<9} {'baseline':<16} {'ratio':>8}  details"]
    for f in figures:
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else ""
        details = ", ".join(f"{k}={v}" for k, v in f.extra.items())
        lines.append(
            f"{f.name:<18} {f.value:>12,.0f} {f.unit:<9} {f.baseline or '':<16} {ratio:>8}  "
            f"{details}{'  target: ' + f.target if f.target else ''}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (~70 s)")
    parser.add_argument(
        "--smoke", action="store_true", help="the smallest sizes: proves every figure is made"
    )
    parser.add_argument(
        "--results", type=Path, default=RESULTS, help=f"where the JSON goes (default {RESULTS})"
    )
    parser.add_argument(
        "--profile", action="store_true", help="sample scenarios 1, 4, 5 and 6 with py-spy"
    )
    args = parser.parse_args(argv)
    # a local stack on scratch databases: the development secrets (pavilion_core.secrets)
    os.environ.setdefault("PAVILION_ENV", "dev")
    # aiokafka warns of each retry while a scratch topic's leaders are being elected
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if args.profile:
        TARGET.append(args.results / stamp)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    with tempfile.TemporaryDirectory(prefix="pavilion-bench-") as logs:
        figures = asyncio.run(run(mode, Path(logs)))
    print(table(figures))
    out = args.results / f"{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "mode": mode,
                "at": stamp,
                "figures": [{**asdict(f), "ratio": f.ratio} for f in figures],
            },
            indent=2,
        )
    )
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
