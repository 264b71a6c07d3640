"""The integrator kit installs alone: its wheel, built from the workspace, goes into a
fresh virtual environment with its dependencies only (aiokafka and what aiokafka needs,
from uv's cache: the workspace's install put them there), and imports and runs there,
where no other Pavilion package is."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# uv itself: `make test` runs the suite under `uv run`, which names its binary in UV (and
# puts the project's venv, which has no uv, first on PATH); else the one `make install`
# installed for python3.
UV = [os.environ["UV"]] if "UV" in os.environ else ["python3", "-m", "uv"]


def run(*argv: str | Path) -> str:
    done = subprocess.run(
        [str(a) for a in argv], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_kit_wheel_installs_and_runs_without_any_other_pavilion_package(tmp_path: Path):
    run(*UV, "build", "-q", "--package", "pavilion-kit", "--wheel", "--out-dir", tmp_path)
    [wheel] = tmp_path.glob("pavilion_kit-*.whl")
    run(*UV, "venv", "-q", tmp_path / "venv", "--python", sys.executable)
    python = tmp_path / "venv" / "bin" / "python"
    # aiokafka from PyPI (reachable wherever the suite runs): uv's cache holds the locked
    # wheels but not always the index pages an install outside the lock resolves with
    run(*UV, "pip", "install", "-q", "--python", python, wheel)
    installed = run(*UV, "pip", "list", "--python", python, "--format", "freeze")
    names = {line.split("==")[0] for line in installed.split()}
    assert "aiokafka" in names and {n for n in names if "pavilion" in n} == {"pavilion-kit"}
    assert "one edition's exhibitors" in run(
        python, "-m", "pavilion_kit.examples.exhibitors_mirror", "--help"
    )
    typed = run(python, "-c", "import pavilion_kit; print(len(pavilion_kit.EVENTS))")
    assert int(typed) == len(list((ROOT / "schemas" / "events").glob("*/*.schema.json")))
