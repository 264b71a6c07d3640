"""The benchmarks' smoke mode (the quick mode's code at the smallest sizes) as a test: it
runs every baseline and scenario on the real broker and database and writes its figures.
No thresholds: figures are read by people (bench/README.md), not asserted."""

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
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
}


@pytest.mark.timeout(600)
def test_the_benchmark_measures_every_scenario_and_baseline(tmp_path: Path):
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--results", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        check=False,
        timeout=580,
    )
    output = proc.stdout.decode()
    assert proc.returncode == 0, output[-3000:]
    [written] = tmp_path.glob("*.json")
    result = json.loads(written.read_text())
    figures = {f["name"]: f for f in result["figures"]}
    assert result["mode"] == "smoke" and set(figures) == FIGURES
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
