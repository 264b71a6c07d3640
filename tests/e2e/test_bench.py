"""The benchmarks' smoke mode (the quick mode's code at the smallest sizes) as a test: it
runs every baseline and scenario on the real broker and database and writes its figures.
No thresholds: figures are read by people (bench/README.md), not asserted."""

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).parents[2]
SCALE_OUT = {
    "7 replay x1",
    "7 replay x2",
    "7 page x1",
    "7 page x2",
    "7 page cached x1",
    "7 page cached x2",
    "7 sizes",
}
FIGURES = {
    "B_copy",
    "B_commit",
    "B_commit notify",
    "B_kafka produce",
    "B_kafka consume",
    "B_kafka latency",
    "B_asgi",
    "B_smtp",
    "P_eventsourcing append",
    "P_postgraphile page",
    "P_postgraphile dashboard",
    "S_store append",
    "S_store append unsealed",
    "1 append",
    "2 relay",
    "2 relay outbox",
    "3 lag @10%",
    "3 lag @50%",
    "3 lag @80%",
    "4 replay",
    "4 replay x2",
    "5 query page",
    "5 query page cached",
    "5 dashboard",
    "6 notifications",
    *SCALE_OUT,
}


def smoke(results: Path, *args: str) -> tuple[dict[str, Any], str]:
    """`python -m bench --smoke <args>`: the JSON it wrote and what it printed."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--results", str(results), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
        timeout=580,
    )
    output = proc.stdout.decode()
    assert proc.returncode == 0, output[-3000:]
    [written] = results.glob("*.json")
    result: dict[str, Any] = json.loads(written.read_text())
    assert result["mode"] == "smoke"
    return result, output


@pytest.mark.timeout(600)
def test_the_benchmark_measures_every_scenario_and_baseline(tmp_path: Path):
    result, output = smoke(tmp_path)
    figures = {f["name"]: f for f in result["figures"]}
    assert set(figures) == FIGURES
    for name, figure in figures.items():
        assert isinstance(figure["value"], int | float) and math.isfinite(figure["value"]), name
        assert figure["rounds"] == [figure["value"]], figure  # the smoke mode runs one round
        # a lag may be 0: the change was visible before the client had its acknowledgement
        assert figure["value"] > 0 or (figure["unit"] == "ms" and figure["value"] == 0), figure
        assert figure["baseline"] is None or figure["baseline"] in figures, figure
        assert figure["baseline"] is None or figure["ratio"] >= 0, figure
        assert name in output  # the table printed it
    notifications = figures["6 notifications"]["extra"]
    assert notifications["duplicates"] == 0 and notifications["missing"] == 0


@pytest.mark.timeout(300)
def test_only_scale_out_measures_one_against_two_instances(tmp_path: Path):
    result, output = smoke(tmp_path, "--only", "scale-out")
    figures = {f["name"]: f for f in result["figures"]}
    assert result["only"] == "scale-out" and set(figures) == SCALE_OUT
    assert all(f["rounds"] == [f["value"]] for f in figures.values()), figures  # one round
    for name in ("7 replay", "7 page", "7 page cached"):
        one, two = figures[f"{name} x1"], figures[f"{name} x2"]
        assert one["value"] > 0 and two["value"] > 0, (one, two)
        assert two["baseline"] == one["name"] and two["ratio"] == two["value"] / one["value"]
        assert two["extra"]["paired_ratio"] > 0 and "load1" in one["extra"], two
        assert name in output
    # the page with two instances: both served (CPU spent in each)
    two_pages = figures["7 page x2"]["extra"]
    assert two_pages["cpu_gateway0_ms"] > 0 and two_pages["cpu_gateway1_ms"] > 0, two_pages
    sizes = figures["7 sizes"]["extra"]
    for key in ("topic_bytes_per_event", "readmodel_bytes_per_event", "store_bytes_per_event"):
        assert sizes[key] > 100, sizes  # an event is hundreds of bytes wherever it is kept
    assert sizes["vault_bytes_per_stream"] > 0, sizes
