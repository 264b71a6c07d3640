"""The README's commands are real: `make` targets exist, and every `pavilion …` command
it shows is one the operator CLI accepts (the tests run these commands elsewhere:
make run in tests/e2e/test_make_run.py, pavilion status and dlq in test_ops.py)."""

import re
import shlex
from pathlib import Path

from pavilion_ops.cli import app
from typer.testing import CliRunner

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def test_the_make_targets_the_readme_names_exist():
    targets = set(re.findall(r"^([a-z0-9-]+):", (ROOT / "Makefile").read_text(), re.M))
    named = set(re.findall(r"make ([a-z0-9-]+)", README))
    assert {"run", "test"} <= named
    assert named <= targets, named - targets


def test_every_pavilion_command_in_the_readme_is_one_the_cli_takes():
    lines = [
        line.split("#")[0].strip() for line in README.splitlines() if line.startswith("pavilion ")
    ]
    assert len(lines) >= 8
    runner = CliRunner()
    for line in lines:
        words = shlex.split(line)[1:]
        commands = [w for w in words if not w.startswith("-") and "." not in w]
        result = runner.invoke(app, [*commands[:2], "--help"])
        assert result.exit_code == 0, (line, result.output)
        for option in (w.split("=")[0] for w in words if w.startswith("--")):
            assert option in result.output, (line, option)
