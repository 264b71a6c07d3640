"""`make run` on a secured three-node cluster (PAVILION_KAFKA_NODES=3,
PAVILION_KAFKA_SASL=1, a Kafka of its own): the demo and a command flow through it, the
brokers hold exactly the ACLs of pavilion_ops.acls, and kcat, as an integrator would run
it, reads what the integrator may and is refused the rest; a service's principal is
refused another service's topic; a wrong password is refused.

kcat runs with a librdkafka of 2.6.1 or later (the one confluent-kafka ships): older ones
(Debian 12's 2.0.2) send a SCRAM proof that Kafka 4 rejects (librdkafka#4895)."""

import asyncio
import base64
import json
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import confluent_kafka
import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from pavilion_core.config import KafkaSettings
from pavilion_ops import acls

from bench.chaos.stack import free_ports
from tests.e2e.make_run import MakeRun, make_run

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
async def secured(
    tmp_path_factory: pytest.TempPathFactory, librdkafka: Path, default_names: None
) -> AsyncIterator[Secured]:
    port = free_ports(6)  # each node's broker and controller ports, 2 apart
    kafka = {
        "PAVILION_KAFKA_NODES": "3",
        "PAVILION_KAFKA_SASL": "1",
        "PAVILION_KAFKA_PORT": str(port),
        "PAVILION_KAFKA_CONTROLLER_PORT": str(port + 1),
    }
    state = tmp_path_factory.mktemp("secured-run")
    async with make_run(state, within=600, kafka=kafka) as launched:
        lines = (state / "kafka-credentials").read_text().split()
        passwords = {
            name.removeprefix("PAVILION_KAFKA_").removesuffix("_PASSWORD").lower(): value
            for name, value in (line.split("=", 1) for line in lines)
        }
        bootstrap = ",".join(f"127.0.0.1:{port + 2 * i}" for i in range(3))
        yield Secured(launched, bootstrap, passwords, librdkafka)


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
    banner = secured.run.banner
    token = re.search(r"Bearer (\S+)\"", banner).group(1)  # type: ignore[union-attr]
    query, command = re.findall(r"-d '(\{\"query\".*\})'", banner)
    command = command.replace("try-maple-robotics", f"secured-{uuid.uuid4().hex[:8]}")
    async with httpx.AsyncClient(timeout=60) as http:

        async def post(body: str) -> dict[str, Any]:
            answer = await http.post(
                f"{secured.run.gateway}/graphql",
                content=body,
                headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
            )
            assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
            data: dict[str, Any] = answer.json()["data"]
            return data

        assert (await post(query))["exhibitors"]["totalCount"] >= 300
        payload = (await post(command))["submitExhibitorApplication"]
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
