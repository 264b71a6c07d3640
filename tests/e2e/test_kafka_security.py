"""`make run` on a secured three-node cluster (PAVILION_KAFKA_NODES=3,
PAVILION_KAFKA_SASL=1, a Kafka of its own: the session's `made_run`, which the console's
tests drive too): the demo and a command flow through it, the brokers hold exactly the
ACLs of pavilion_ops.acls, and kcat, as an integrator would run it, reads what the
integrator may and is refused the rest; a service's principal is refused another
service's topic; a wrong password is refused; no service was denied anything it needed
while the console's tests drove the stack."""

import asyncio
import base64
import json
import os
import re
import signal
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import confluent_kafka
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pavilion_core.config import KafkaSettings
from pavilion_ops import acls

from tests.e2e.make_run import MakeRun
from tests.e2e.test_gateway import EDITION
from tests.e2e.test_kit import mirrored, shown
from tests.readme import argv
from tests.support import eventually

pytestmark = pytest.mark.timeout(900)

TOPICS = ("pavilion.exhibitors.v1", "pavilion.outreach.v1", "pavilion.notifications.v1")


@dataclass
class Secured:
    run: MakeRun
    bootstrap: str
    passwords: dict[str, str]  # principal: password, as make run generated them
    librdkafka: Path  # a directory holding a librdkafka.so.1 that speaks SCRAM to Kafka 4

    def settings(self, principal: str) -> KafkaSettings:
        return KafkaSettings(
            self.bootstrap, 6, 3, "SASL_PLAINTEXT", "SCRAM-SHA-512",
            principal, self.passwords[principal],
        )  # fmt: skip

    async def post(self, body: str) -> dict[str, Any]:
        """The data of a GraphQL request (JSON `body`) sent as the banner's ADMIN."""
        token = re.search(r"Bearer (\S+)\"", self.run.banner).group(1)  # type: ignore[union-attr]
        async with httpx.AsyncClient(timeout=60) as http:
            answer = await http.post(
                f"{self.run.gateway}/graphql",
                content=body,
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
        assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
        data: dict[str, Any] = answer.json()["data"]
        return data

    async def kcat(
        self, principal: str, *args: str, password: str | None = None, stdin: bytes = b""
    ) -> tuple[int, str, str]:
        """kcat's exit status, output and errors, run as `principal`."""
        process = await asyncio.create_subprocess_exec(
            "kcat", "-b", self.bootstrap, "-m", "15",
            "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512",
            "-X", f"sasl.username={principal}",
            "-X", f"sasl.password={password or self.passwords[principal]}",
            *args,
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "LD_LIBRARY_PATH": str(self.librdkafka)},
        )  # fmt: skip
        out, err = await asyncio.wait_for(process.communicate(stdin), 90)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()


@pytest.fixture(scope="module")
def librdkafka(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with confluent-kafka's librdkafka under the name kcat links to."""
    [bundled] = (Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs").glob(
        "librdkafka*.so*"
    )
    directory = tmp_path_factory.mktemp("librdkafka")
    (directory / "librdkafka.so.1").symlink_to(bundled)
    return directory


@pytest.fixture(scope="module")
def default_names(monkeypatch_module: pytest.MonkeyPatch) -> None:
    """The suite's own topic and group names out of this process's environment: the
    stack's Kafka is its own, with the services' default names."""
    for name in list(os.environ):
        if re.fullmatch(r"PAVILION_\w+_(TOPIC|TOPICS|GROUP|REACTOR_GROUP|APP_ID)", name):
            monkeypatch_module.delenv(name)


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def secured(made_run: MakeRun, librdkafka: Path, default_names: None) -> Secured:
    """The console's make run: a secured three-node cluster of its own (conftest)."""
    return Secured(made_run, made_run.kafka_bootstrap, made_run.kafka_passwords, librdkafka)


def service_denials(logs: Path) -> list[str]:
    """What the brokers' authorizer denied the services' principals (it logs each
    denial), but the one test_a_service_is_refused_another_services_topic provokes."""
    provoked = "User:outreach is Denied operation = WRITE from host = 127.0.0.1 on resource"
    provoked += f" = Topic:LITERAL:{TOPICS[0]} for request = Produce"
    services = tuple(f"Principal = User:{s} " for s in acls.CONSUMES)
    return [
        line
        for log in sorted(logs.glob("kafka-*.log"))
        for line in log.read_text().splitlines()
        if " is Denied " in line and any(s in line for s in services) and provoked not in line
    ]


async def test_credentials_are_generated_private_and_printed(secured: Secured) -> None:
    state = secured.run.output.parent
    credentials = state / "kafka-credentials"
    assert credentials.stat().st_mode & 0o777 == 0o600
    assert set(secured.passwords) == {"admin", *acls.principals()}
    assert len(set(secured.passwords.values())) == len(secured.passwords)  # each its own
    assert str(credentials) in secured.run.banner and secured.bootstrap in secured.run.banner
    for process in ("exhibitors-relay", "gateway-projector", "notifications-worker"):
        log = (secured.run.logs / f"{process}.log").read_text()
        assert not any(p in log for p in secured.passwords.values()), process


async def test_a_command_reaches_the_read_model_and_the_topic(secured: Secured) -> None:
    """The demo came through the cluster into the read model; a submission through the
    gateway is shown by it, and its record is on the topic, replicated three times."""
    query, command = re.findall(r"-d '(\{\"query\".*\})'", secured.run.banner)
    command = command.replace("try-maple-robotics", f"secured-{uuid.uuid4().hex[:8]}")
    assert (await secured.post(query))["exhibitors"]["totalCount"] >= 300
    payload = (await secured.post(command))["submitExhibitorApplication"]
    assert payload["userErrors"] == [], payload
    [[subject, _], *_] = json.loads(base64.urlsafe_b64decode(payload["consistencyToken"]))
    code, keys, errors = await secured.kcat(
        "integrator", "-C", "-t", TOPICS[0], "-o", "beginning", "-e", "-q", "-f", "%k\n"
    )
    assert code == 0, errors
    assert subject in keys.split(), (subject, errors)
    admin = AIOKafkaAdminClient(**secured.settings("admin").client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(list(TOPICS))
    finally:
        await admin.close()
    assert {len(p["replicas"]) for t in described for p in t["partitions"]} == {3}


async def test_the_brokers_hold_exactly_the_definition(secured: Secured) -> None:
    assert await acls.held(secured.settings("admin")) == acls.definition()
    again = await acls.apply(secured.settings("admin"))  # make run made them: a no-op
    assert again.created == [] and again.deleted == []


async def test_the_integrator_reads_every_event_topic_with_its_own_groups(
    secured: Secured,
) -> None:
    for topic in TOPICS:
        code, _, errors = await secured.kcat(
            "integrator", "-C", "-G", f"integrator.test-{uuid.uuid4().hex[:6]}", topic, "-e"
        )
        assert code == 0 and "ERROR" not in errors, (topic, errors)
    code, listing, errors = await secured.kcat("integrator", "-L")
    assert code == 0, errors
    assert set(re.findall(r'topic "([^"]+)"', listing)) == set(TOPICS)  # no .dlq twins


async def test_the_integrator_is_refused_the_rest(secured: Secured) -> None:
    code, _, errors = await secured.kcat(
        "integrator", "-P", "-t", TOPICS[0], stdin=b"not from the integrator\n"
    )
    assert code != 0 and "Topic authorization failed" in errors, errors
    code, _, errors = await secured.kcat(
        "integrator", "-C", "-G", "pavilion.gateway.projector", TOPICS[0], "-e"
    )
    assert code != 0 and "Group authorization failed" in errors, errors
    code, _, errors = await secured.kcat(
        "integrator", "-C", "-t", f"{TOPICS[0]}.dlq", "-o", "beginning", "-e"
    )
    assert code != 0 and "Topic authorization failed" in errors, errors


async def test_a_service_is_refused_another_services_topic(secured: Secured) -> None:
    code, _, errors = await secured.kcat(
        "outreach", "-P", "-t", TOPICS[0], stdin=b"not outreach's to write\n"
    )
    assert code != 0 and "Topic authorization failed" in errors, errors


async def test_the_services_were_denied_nothing(secured: Secured) -> None:
    """Every process ran as its principal with what the definition grants it, and that
    was all it needed (a missing grant shows as a denial; the processes retry quietly)."""
    assert service_denials(secured.run.logs) == []


async def test_a_wrong_password_is_refused(secured: Secured) -> None:
    code, _, errors = await secured.kcat("integrator", "-L", password="not-the-password")
    assert code != 0 and "SASL authentication error" in errors, errors


async def test_a_process_with_a_wrong_password_stops_saying_so(secured: Secured) -> None:
    """Not a hang: the operator's command (any of our Kafka clients) fails at once."""
    settings = secured.settings("admin")
    process = await asyncio.create_subprocess_exec(
        Path(sys.executable).parent / "pavilion", "topics", "create",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={
            **os.environ,
            "PAVILION_KAFKA_BOOTSTRAP": settings.bootstrap,
            "PAVILION_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "PAVILION_KAFKA_USERNAME": "admin",
            "PAVILION_KAFKA_PASSWORD": "not-the-password",
        },
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode != 0
    assert "SaslAuthenticationFailed" in output.decode(), output.decode()[-2000:]


async def test_the_kits_mirror_reads_as_the_integrator(secured: Secured, tmp_path: Path) -> None:
    """The integrator kit, given the integrator's credentials the way an integrator sets
    them (the PAVILION_KAFKA_* variables), mirrors the demo edition: it ends with the
    same exhibitors as the read model."""
    db = tmp_path / "mirror.sqlite"
    python, *words = argv("python -m pavilion_kit.examples.exhibitors_mirror")  # the README's
    assert python == "python" and EDITION in words
    mirror = await asyncio.create_subprocess_exec(
        sys.executable, *words, "--group", f"integrator.mirror-{uuid.uuid4().hex[:8]}",
        "--db", str(db),
        env={
            "PATH": "/usr/bin:/bin",
            "PAVILION_KAFKA_BOOTSTRAP": secured.bootstrap,
            "PAVILION_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
            "PAVILION_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "PAVILION_KAFKA_USERNAME": "integrator",
            "PAVILION_KAFKA_PASSWORD": secured.passwords["integrator"],
        },
        stdout=(tmp_path / "mirror.log").open("wb"), stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip

    async def read_model() -> dict[str, tuple[Any, ...]]:
        rows: dict[str, tuple[Any, ...]] = {}
        after = None
        while True:
            page = (
                await secured.post(
                    json.dumps({"query": MIRRORED, "variables": {"e": EDITION, "after": after}})
                )
            )["exhibitors"]
            rows.update(shown(edge["node"]) for edge in page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                return rows
            after = page["pageInfo"]["endCursor"]

    async def caught_up() -> bool:
        assert mirror.returncode is None, (tmp_path / "mirror.log").read_text()
        return mirrored(db) == await read_model()

    try:
        await eventually(caught_up, within=120, interval=1, what="the mirror caught up")
    finally:
        if mirror.returncode is None:
            mirror.send_signal(signal.SIGTERM)
        await asyncio.wait_for(mirror.wait(), timeout=30)
    assert len(mirrored(db)) >= 300
    assert mirror.returncode == 0, (tmp_path / "mirror.log").read_text()


MIRRORED = """query($e: String!, $after: String) {
  exhibitors(edition: $e, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id companyName country status booth { hall code } } }
  }
}"""
