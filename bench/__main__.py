"""`make bench` (`python -m bench [--quick]`): every baseline and scenario that runs here,
a table of figures with the same-run baseline each is measured against (as a ratio),
and the table as JSON in bench/results/<timestamp>.json. Figures, never assertions."""

import argparse
import asyncio
import json
import tempfile
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from pavilion_core.config import KafkaSettings

from bench import baselines, scenarios
from bench.measure import Figure

RESULTS = Path(__file__).parent / "results"
SIZES = {
    "quick": {"rows": 20_000, "messages": 20_000, "requests": 2_000, "commands": 1_000},
    "full": {"rows": 100_000, "messages": 100_000, "requests": 5_000, "commands": 10_000},
}


async def run(mode: str, logs: Path) -> list[Figure]:
    size, kafka = SIZES[mode], KafkaSettings.from_env()
    copy = await baselines.copy(size["rows"])
    produce, consume = await baselines.kafka(kafka, size["messages"])
    asgi = await baselines.asgi(size["requests"], 16, logs)
    appends, relayed, topic = await scenarios.append_and_relay(kafka, size["commands"], 8, logs)
    replay, page, board = await scenarios.replay_and_query(
        kafka, topic, size["commands"], size["requests"], logs
    )
    for figure, baseline in [
        (appends, copy),
        (relayed, produce),
        (replay, copy),
        (page, asgi),
        (board, asgi),
    ]:
        against(figure, baseline)
    return [copy, produce, consume, asgi, appends, relayed, replay, page, board]


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
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    with tempfile.TemporaryDirectory(prefix="pavilion-bench-") as logs:
        figures = asyncio.run(run(mode, Path(logs)))
    print(table(figures))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{stamp}.json"
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
