"""`make bench` (`python -m bench [--quick] [--only scale-out]`): every baseline and
scenario that runs here (or only the one named), a table of figures with the same-run
baseline each is measured against (as a ratio), and the table as JSON in
bench/results/<timestamp>.json. Figures, never assertions."""

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
from bench.measure import Figure, median, middle
from bench.notify import notifications
from bench.peers import stores
from bench.profile import TARGET
from bench.scaleout import scale_out

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Size:
    rounds: int  # of every figure, which is their median
    rows: int  # B_copy
    messages: int  # B_kafka
    seconds: float  # of load for each closed-loop HTTP figure and B_commit
    append_s: float  # of scenario 1's load
    streams: int  # appended by P_eventsourcing and S_store (and relayed from the outbox)
    events: int  # on the topic the replay reads
    lag_s: tuple[float, float, float]  # of scenario 3 at 10 %, 50 % and 80 %
    emails: int  # scenario 6's burst


SIZES = {
    # every figure once, no more
    "smoke": Size(1, 2_000, 2_000, 2, 1.5, 200, 2_000, (1, 1, 1), 100),
    "quick": Size(3, 20_000, 20_000, 2, 3, 2_000, 10_000, (3, 3, 3), 300),
    "full": Size(3, 100_000, 100_000, 10, 20, 20_000, 300_000, (20, 20, 60), 3_000),
}
REPLAY_PROCESSES = (1, 2)  # scenario 4 with one projector process, then with two


ONLY = ("scale-out",)  # the scenarios `--only` can pick


async def run(mode: str, logs: Path, only: str | None = None) -> list[Figure]:
    # the run's vault, for every process it starts (connecting as the superuser, they
    # make its tables)
    async with stack.database("vault") as vault:
        os.environ["PAVILION_VAULT_DATABASE_URL"] = vault
        figures = [] if only else await measured(mode, logs)
        size = SIZES[mode]
        seven = await scale_out(
            KafkaSettings.from_env(), size.events, size.seconds, size.rounds, logs
        )
        return [*figures, *seven]


async def measured(mode: str, logs: Path) -> list[Figure]:
    size, kafka = SIZES[mode], KafkaSettings.from_env()
    n = range(size.rounds)
    copy = middle([await baselines.copy(size.rows) for _ in n])
    raw = [await baselines.kafka(kafka, size.messages) for _ in n]
    produce, consume = middle([p for p, _ in raw]), middle([c for _, c in raw])
    ping = middle([await baselines.kafka_latency(kafka, 200) for _ in n])
    asgi = await baselines.asgi(size.seconds, 16, size.rounds, logs)
    commit = median("B_commit", "rows/s", [await stores.commits(size.seconds, False) for _ in n])
    notifying = [await stores.commits(size.seconds, True) for _ in n]
    commit_notify = median("B_commit notify", "rows/s", notifying)
    library = [await stores.eventsourcing_append(size.streams) for _ in n]
    eventsourcing = median("P_eventsourcing append", "events/s", library)
    store, outbox = [], []
    for _ in n:
        async with stack.database("store") as url:
            appended_, relayed_ = await scenarios.full_outbox(kafka, url, size.streams, logs)
        store.append(appended_)
        outbox.append(relayed_)
    own_store = median("S_store append", "events/s", store, target="≥2x P_eventsourcing")
    clear = []
    for _ in n:
        async with stack.database("store_clear") as url:
            clear.append(await stores.store_append(url, size.streams, sealed=False))
    unsealed = median("S_store append unsealed", "events/s", clear)
    emptied = median("2 relay outbox", "events/s", outbox)
    appends, relayed, topic, appended = await scenarios.append_and_relay(
        kafka, size.append_s, 8, size.rounds, logs
    )
    replays_and_queries = await scenarios.replay_and_query(
        kafka,
        topic,
        max(0, size.events - appended),
        size.seconds,
        size.rounds,
        logs,
        REPLAY_PROCESSES,
    )
    named = {f.name: f for f in replays_and_queries}
    runs = list(zip((0.1, 0.5, 0.8), size.lag_s, strict=True))
    low, half, high = await lag(kafka, appends.value, runs, size.rounds, logs)
    smtp, emails = await notifications(kafka, size.emails, size.rounds, logs)
    page, board = named["P_postgraphile page"], named["P_postgraphile dashboard"]
    for figure, baseline in [
        (eventsourcing, commit),
        (own_store, eventsourcing),
        (unsealed, eventsourcing),
        (appends, own_store),
        (relayed, produce),
        (emptied, produce),
        (named["4 replay"], copy),
        (named["4 replay x2"], named["4 replay"]),
        (page, asgi),
        (board, asgi),
        (named["5 query page"], page),
        (named["5 query page cached"], page),
        (named["5 dashboard"], board),
        (low, ping),
        (half, ping),
        (high, ping),
        (emails, smtp),
    ]:
        against(figure, baseline)
    baselines_ = [copy, commit, commit_notify, produce, consume, ping, asgi, smtp]
    peers = [eventsourcing, page, board]
    scenarios_ = [own_store, unsealed, appends, relayed, emptied, low, half, high]
    rest = [f for f in replays_and_queries if f not in peers]
    return [*baselines_, *peers, *scenarios_, *rest, emails]


def against(figure: Figure, baseline: Figure) -> None:
    figure.baseline, figure.baseline_value = baseline.name, baseline.value


def table(figures: list[Figure]) -> str:
    """One line per figure: value, unit, baseline, ratio, the rounds' spread (min-max)
    and the median round's details; the target after them."""
    lines = [
        f"{'figure':<24} {'value':>10} {'unit':<9} {'baseline':<24} {'ratio':>7} "
        f"{'spread':>17}  details"
    ]
    for f in figures:
        ratio = f"{f.ratio:.3f}" if f.ratio is not None else ""
        spread = f"{f.spread[0]:,.0f}-{f.spread[1]:,.0f}" if f.spread else ""
        details = ", ".join(f"{k}={v}" for k, v in f.extra.items())
        lines.append(
            f"{f.name:<24} {f.value:>10,.0f} {f.unit:<9} {f.baseline or '':<24} {ratio:>7} "
            f"{spread:>17}  {details}{'  target: ' + f.target if f.target else ''}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, three rounds")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="the smallest sizes, one round: proves every figure is made",
    )
    parser.add_argument(
        "--only", choices=ONLY, help="only this scenario (at the mode's sizes), no baselines"
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
        figures = asyncio.run(run(mode, Path(logs), args.only))
    print(table(figures))
    out = args.results / f"{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "mode": mode,
                "only": args.only,
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
