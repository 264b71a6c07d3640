"""The integrator kit (libs/pavilion-kit): its event types are generated from the
published schemas, every version, as they travel (personal values sealed strings or
None); a message's CloudEvents headers make its envelope; what the kit cannot type is
surfaced, not crashed on; a forgotten person goes to its own handler; a redelivered
event is skipped; and the kit imports nothing of Pavilion's."""

import ast
import dataclasses
import json
import tomllib
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pavilion_contracts import kit as generator
from pavilion_contracts.personal import wire_schema
from pavilion_core.aggregate import camel
from pavilion_core.envelope import RecordedEvent, to_kafka
from pavilion_kit import EVENTS, Consumer, Envelope, Event, UnknownEvent, kafka_options, parse
from pavilion_kit.event import wire_name
from pavilion_kit.events.exhibitors import (
    ApplicationApprovedV1,
    ApplicationSubmittedV1,
    ApplicationSubmittedV2,
    ExhibitorContactForgottenV1,
)
from pavilion_kit.events.outreach import ContactForgottenV1
from pavilion_kit.examples.exhibitors_mirror import Mirror

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "schemas" / "events"
KIT = ROOT / "libs" / "pavilion-kit"
SERVICES = sorted(p for p in SCHEMAS.iterdir() if p.is_dir())


@pytest.mark.parametrize("service", SERVICES, ids=lambda p: p.name)
def test_the_shipped_kit_modules_are_generated_from_the_current_schemas(service: Path):
    shipped = KIT / "src" / "pavilion_kit" / "events" / f"{service.name}.py"
    assert shipped.read_text() == generator.render(service), (
        "stale: run python -m pavilion_contracts.kit"
    )
    index = KIT / "src" / "pavilion_kit" / "events" / "__init__.py"
    assert index.read_text() == generator.render_index(SERVICES)


def test_every_published_version_is_a_type_whose_fields_are_its_properties_as_published():
    files = sorted(SCHEMAS.glob("*/*.schema.json"))
    assert len(EVENTS) == len(files)
    for path in files:
        name, version = path.name.split(".")[:2]
        kind = EVENTS[f"pavilion.{path.parent.name}.{name}.{version}"]
        assert issubclass(kind, Event) and kind.__name__ == f"{name}V{version[1:]}"
        published = wire_schema(json.loads(path.read_text()))["properties"]
        fields = {wire_name(f.name): f for f in dataclasses.fields(kind)}
        assert set(fields) == set(published), path.name
        for prop, schema in published.items():
            # the kit spells wire names as the services do
            assert camel(fields[prop].name) == prop
            if schema.get("x-personal-data") is not False:
                assert fields[prop].type == str | None, (path.name, prop)


def test_v1_and_v2_coexist_and_a_personal_value_is_typed_as_the_sealed_string_it_is():
    assert {f.name for f in dataclasses.fields(ApplicationSubmittedV2)} - {
        f.name for f in dataclasses.fields(ApplicationSubmittedV1)
    } == {"address"}
    reason = {
        f.name: f.type
        for f in dataclasses.fields(EVENTS["pavilion.exhibitors.ApplicationWithdrawn.v1"])
    }
    assert reason["reason"] == str | None


def test_the_kit_imports_nothing_of_pavilions_and_depends_only_on_aiokafka():
    project = tomllib.loads((KIT / "pyproject.toml").read_text())["project"]
    assert [d.split(">")[0] for d in project["dependencies"]] == ["aiokafka"]
    for module in (KIT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [a.name for a in node.names]
                )
                for name in names:
                    top = name.split(".")[0]
                    assert top in ("pavilion_kit", "aiokafka") or not top.startswith("pavilion"), (
                        module,
                        name,
                    )


SUBMITTED = {
    "applicationId": str(uuid.uuid4()),
    "edition": "CISCE-2026",
    "companyName": "Great Lakes Axles",
    "country": "US",
    "address": {"streetLines": [], "city": None, "postalCode": None, "region": None,
                "country": "US"},
    "supplyChainAreas": ["SMART_VEHICLES"],
    "productCategories": [],
    "contacts": [{"name": "pii:1:person:ab:x1", "email": "pii:1:person:ab:x2", "phone": None,
                  "language": None}],
    "organizationId": None,
    "sourceInterestId": None,
    "previousEditions": 0,
    "boothSizeSqm": None,
}  # fmt: skip


def record(
    event_type: str,
    data: dict[str, Any],
    *,
    version: int = 1,
    stream: str | None = None,
    stream_version: int = 1,
    event_id: uuid.UUID | None = None,
    service: str = "exhibitors",
    offset: int = 0,
) -> SimpleNamespace:
    """A consumed message as Pavilion's relay publishes it (pavilion_core.envelope)."""
    recorded = RecordedEvent(
        event_id=event_id or uuid.uuid4(),
        stream_id=stream or data.get("applicationId") or data.get("contactId") or "a",
        version=stream_version,
        position=1,
        type=event_type,
        schema_version=version,
        data=data,
        metadata={"correlation_id": "corr-1", "causation_id": None, "actor": "staff:ada"},
        recorded_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    kafka = to_kafka(recorded, service)
    return SimpleNamespace(
        topic=f"pavilion.{service}.v1", partition=2, offset=offset, headers=kafka.headers,
        value=kafka.value,
    )  # fmt: skip


def test_the_cloudevents_headers_make_the_envelope_and_the_type_and_version_the_event():
    message = record("ApplicationSubmitted", SUBMITTED, version=2, stream_version=1, offset=7)
    envelope, event = parse(message)  # type: ignore[misc]
    assert envelope == Envelope(
        id=envelope.id,
        source="/pavilion/exhibitors",
        type="pavilion.exhibitors.ApplicationSubmitted.v2",
        subject=SUBMITTED["applicationId"],
        time=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        recorded_time=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        dataschema="https://pavilion.dev/schemas/events/exhibitors/ApplicationSubmitted.v2.schema.json",
        correlation_id="corr-1",
        causation_id=None,
        actor="staff:ada",
        stream_version=1,
        topic="pavilion.exhibitors.v1",
        partition=2,
        offset=7,
    )
    assert uuid.UUID(envelope.id)
    assert isinstance(event, ApplicationSubmittedV2)
    assert event.company_name == "Great Lakes Axles" and event.contacts[0]["phone"] is None
    v1 = {k: v for k, v in SUBMITTED.items() if k != "address"}
    assert isinstance(parse(record("ApplicationSubmitted", v1))[1], ApplicationSubmittedV1)  # type: ignore[index]


def test_a_property_added_within_a_version_is_read_past():
    _, event = parse(record("ApplicationApproved", {"applicationId": "a", "since": "x"}))  # type: ignore[misc]
    assert event == ApplicationApprovedV1(application_id="a")


def test_what_the_kit_cannot_type_is_an_unknown_event_saying_why():
    newer = parse(record("ApplicationSubmitted", SUBMITTED, version=3, offset=4))
    assert isinstance(newer, UnknownEvent) and newer.offset == 4
    assert newer.reason == (
        "pavilion.exhibitors.ApplicationSubmitted.v3 is not known to this kit: upgrade it"
    )
    assert newer.envelope is not None and newer.data == SUBMITTED

    new_type = parse(record("BoothPainted", {"applicationId": "a"}))
    assert isinstance(new_type, UnknownEvent) and "BoothPainted.v1 is not known" in new_type.reason

    short = parse(record("ApplicationApproved", {"application": "a"}))
    assert isinstance(short, UnknownEvent) and "application_id" in short.reason

    good = record("ApplicationApproved", {"applicationId": "a"})
    headless = SimpleNamespace(
        **{**vars(good), "headers": [h for h in good.headers if h[0] != "ce_id"]}
    )
    missing = parse(headless)
    assert isinstance(missing, UnknownEvent) and missing.envelope is None
    assert missing.reason == "not a CloudEvent: no ce_id"

    garbled = parse(SimpleNamespace(**{**vars(good), "value": b"{not json"}))
    assert isinstance(garbled, UnknownEvent) and garbled.reason.startswith("malformed:")


class Handlers:
    def __init__(self, *, fail_on: str | None = None) -> None:
        self.events: list[Event] = []
        self.forgotten: list[Event] = []
        self.unknown: list[UnknownEvent] = []
        self.fail_on = fail_on

    async def on_event(self, envelope: Envelope, event: Event) -> None:
        if type(event).__name__ == self.fail_on:
            raise RuntimeError("the integrator's database is down")
        self.events.append(event)

    async def on_contact_forgotten(self, envelope: Envelope, event: Event) -> None:
        self.forgotten.append(event)

    async def on_unknown(self, unknown: UnknownEvent) -> None:
        self.unknown.append(unknown)

    def consumer(self) -> Consumer:
        return Consumer(
            "pavilion.exhibitors.v1",
            group_id="integrator.test",
            on_event=self.on_event,
            on_contact_forgotten=self.on_contact_forgotten,
            on_unknown=self.on_unknown,
        )


async def test_a_forgotten_person_goes_to_its_own_handler_and_the_unknown_to_theirs():
    handlers = Handlers()
    consumer = handlers.consumer()
    contact = str(uuid.uuid4())
    for message in (
        record("ApplicationApproved", {"applicationId": "a"}),
        record("ContactForgotten", {"contactId": contact}, service="outreach"),
        record("ExhibitorContactForgotten", {"applicationId": "a", "appearances": [1]}),
        record("ApplicationApproved", {"applicationId": "a"}, version=2),
    ):
        await consumer.handle(message)
    assert handlers.events == [ApplicationApprovedV1(application_id="a")]
    assert handlers.forgotten == [
        ContactForgottenV1(contact_id=contact),
        ExhibitorContactForgottenV1(application_id="a", appearances=[1]),
    ]
    assert [u.reason for u in handlers.unknown] == [
        "pavilion.exhibitors.ApplicationApproved.v2 is not known to this kit: upgrade it"
    ]


async def test_an_event_handled_is_skipped_when_delivered_again_but_a_failed_one_is_not():
    handlers = Handlers(fail_on="ApplicationApprovedV1")
    consumer = handlers.consumer()
    event_id = uuid.uuid4()
    submitted = record("ApplicationSubmitted", SUBMITTED, version=2, event_id=event_id)
    await consumer.handle(submitted)
    await consumer.handle(submitted)
    assert len(handlers.events) == 1
    approved = record("ApplicationApproved", {"applicationId": "a"})
    with pytest.raises(RuntimeError):
        await consumer.handle(approved)
    handlers.fail_on = None
    await consumer.handle(approved)
    assert handlers.events[1:] == [ApplicationApprovedV1(application_id="a")]


def test_the_connection_comes_from_the_environment_and_arguments_override_it():
    assert kafka_options({}) == {"bootstrap_servers": "127.0.0.1:19092"}
    secured = {
        "PAVILION_KAFKA_BOOTSTRAP": "kafka-0:9094,kafka-1:9094",
        "PAVILION_KAFKA_USERNAME": "integrator",
        "PAVILION_KAFKA_PASSWORD": "s3cret",
    }
    assert kafka_options(secured) == {
        "bootstrap_servers": "kafka-0:9094,kafka-1:9094",
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": "integrator",
        "sasl_plain_password": "s3cret",
    }
    over_tls = kafka_options({**secured, "PAVILION_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
                              "PAVILION_KAFKA_SASL_MECHANISM": "SCRAM-SHA-256"})  # fmt: skip
    assert over_tls["security_protocol"] == "SASL_SSL" and over_tls["ssl_context"] is not None
    assert over_tls["sasl_mechanism"] == "SCRAM-SHA-256"
    handlers = Handlers()
    consumer = Consumer(
        "t",
        group_id="integrator.g",
        on_event=handlers.on_event,
        on_contact_forgotten=handlers.on_contact_forgotten,
        sasl_plain_username="other",
        enable_auto_commit=True,
    )
    assert consumer.options["sasl_plain_username"] == "other"
    assert consumer.options["enable_auto_commit"] is False  # at least once, whatever is asked


async def test_the_mirror_applies_an_event_once_and_follows_the_applications_stream(tmp_path):
    mirror = Mirror(tmp_path / "m.sqlite", "CISCE-2026")
    app = SUBMITTED["applicationId"]
    booth = {"applicationId": app, "edition": "CISCE-2026", "hall": "N1", "boothCode": "N1-01"}
    history = [
        record("ApplicationSubmitted", SUBMITTED, version=2, stream_version=1),
        record("ApplicationSubmitted", {**SUBMITTED, "applicationId": "other", "edition": "X"},
               version=2),
        record("ApplicationApproved", {"applicationId": app}, stream_version=2),
        record("BoothAssigned", {**booth, "sizeSqm": 36}, stream_version=3),
        record("BoothReleased", {**booth, "reason": None}, stream="floorplan:CISCE-2026:N1",
               stream_version=9),
        record("ApplicationWithdrawn", {"applicationId": app, "reason": None}, stream_version=4),
    ]  # fmt: skip
    for message in [*history, *history[:4]]:  # the first four delivered again
        envelope, event = parse(message)  # type: ignore[misc]
        await mirror.on_event(envelope, event)
    assert mirror.rows() == [
        {"application_id": app, "edition": "CISCE-2026", "company_name": "Great Lakes Axles",
         "country": "US", "status": "WITHDRAWN", "booth_hall": "N1", "booth_code": "N1-01",
         "version": 4}
    ]  # fmt: skip


async def test_by_default_what_the_kit_cannot_type_is_logged_without_its_data_and_skipped(
    caplog: pytest.LogCaptureFixture,
):
    handlers = Handlers()
    consumer = Consumer(
        "pavilion.exhibitors.v1",
        group_id="integrator.test",
        on_event=handlers.on_event,
        on_contact_forgotten=handlers.on_contact_forgotten,
    )
    secret = "pii:1:person:ab:sealed-name"
    newer = record("ApplicationWithdrawn", {"applicationId": "a", "reason": secret}, version=9)
    with caplog.at_level("WARNING", logger="pavilion_kit"):
        await consumer.handle(newer)
    assert handlers.events == handlers.forgotten == []
    assert "ApplicationWithdrawn.v9 is not known to this kit" in caplog.text
    assert secret not in caplog.text
