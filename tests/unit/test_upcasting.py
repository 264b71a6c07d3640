"""Upcasting: an event of an older version is read as the latest, by aggregates and by
consumers alike; one newer than the reader knows is refused, never guessed at; and
each contract's upcasters agree with the schemas published under schemas/events."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from exhibitors.domain.application import ExhibitorApplication
from pavilion_contracts.exhibitors.upcasters import UPCASTERS as EXHIBITORS
from pavilion_contracts.reader import READER
from pavilion_core.envelope import RecordedEvent
from pavilion_core.upcasting import TopicReader, UnreadableVersion, Upcasters

from tests.support import kafka_record, submitted_data

EVENTS = Path(__file__).parents[2] / "schemas" / "events"
CONTACT = {"name": "Jane Roy", "email": "jane@maple.example", "phone": None}


def v1_submitted(app: str) -> dict[str, object]:
    return submitted_data(app, "Maple Robotics", "CA", [CONTACT], "CLEAN_ENERGY")


def test_a_chain_of_upcasters_reads_every_older_version_as_the_latest() -> None:
    upcasters = Upcasters("test")
    upcasters.register("Happened", 1)(lambda d: {**d, "b": 2})
    upcasters.register("Happened", 2)(lambda d: {**d, "c": d["b"] + 1})

    assert upcasters.latest("Happened") == 3 and upcasters.latest("Other") == 1
    assert upcasters.upcast("Happened", 1, {"a": 1}) == {"a": 1, "b": 2, "c": 3}
    assert upcasters.upcast("Happened", 2, {"b": 5}) == {"b": 5, "c": 6}
    assert upcasters.upcast("Happened", 3, {"c": 0}) == {"c": 0}
    with pytest.raises(UnreadableVersion, match=r"test.Happened.v4 is newer .* \(v3\)"):
        upcasters.upcast("Happened", 4, {})


def test_upcasters_are_registered_in_order_each_once() -> None:
    upcasters = Upcasters("test")
    with pytest.raises(ValueError, match="the next upcaster is from v1, not v2"):
        upcasters.register("Happened", 2)(lambda d: d)
    upcasters.register("Happened", 1)(lambda d: d)
    with pytest.raises(ValueError, match="from v2, not v1"):
        upcasters.register("Happened", 1)(lambda d: d)


def test_a_v1_submission_upcast_is_a_valid_v2_with_only_the_country_known() -> None:
    app = str(uuid.uuid4())
    v2 = EXHIBITORS.upcast("ApplicationSubmitted", 1, v1_submitted(app))

    unknown = {"streetLines": [], "city": None, "postalCode": None, "region": None}
    assert v2["address"] == {**unknown, "country": "CA"}
    assert v2["contacts"] == [{**CONTACT, "language": None}]
    schema = json.loads((EVENTS / "exhibitors/ApplicationSubmitted.v2.schema.json").read_text())
    jsonschema.validate(v2, schema, format_checker=jsonschema.FormatChecker())


def test_a_consumer_reads_a_v1_as_the_latest_and_a_too_new_one_is_unreadable() -> None:
    app = str(uuid.uuid4())
    old = kafka_record("exhibitors", "ApplicationSubmitted", app, **v1_submitted(app))
    event = READER.decode(old.value, old.headers)
    assert (
        event.type
        == "pavilion.exhibitors.ApplicationSubmitted.v2"
        == READER.ce_type("exhibitors", "ApplicationSubmitted")
    )
    assert event.data["address"]["country"] == "CA"

    newer = kafka_record("exhibitors", "ApplicationSubmitted", app, schema_version=3, x=1)
    with pytest.raises(UnreadableVersion, match=r"ApplicationSubmitted\.v3 is newer"):
        READER.decode(newer.value, newer.headers)
    unknown = kafka_record("exhibitors", "ReviewStarted", app, schema_version=2, x=1)
    with pytest.raises(UnreadableVersion):  # no contract is a contract of v1s only
        TopicReader().decode(unknown.value, unknown.headers)


def _recorded(
    app: str, version: int, schema_version: int, event_type: str, data: dict
) -> RecordedEvent:  # type: ignore[type-arg]
    return RecordedEvent(uuid.uuid4(), app, version, version, event_type, schema_version, data,
                         {}, datetime.now(UTC))  # fmt: skip


def test_an_aggregate_loads_a_v1_submission_as_a_v2_and_refuses_a_too_new_one() -> None:
    app = str(uuid.uuid4())
    loaded = ExhibitorApplication(app).replay(
        [_recorded(app, 1, 1, "ApplicationSubmitted", v1_submitted(app))]
    )
    assert loaded.contacts["jane@maple.example"].language is None and loaded.version == 1

    too_new = _recorded(app, 2, 2, "ReviewStarted", {"applicationId": app})
    with pytest.raises(UnreadableVersion, match=r"ReviewStarted\.v2 is newer"):
        ExhibitorApplication(app).replay(
            [_recorded(app, 1, 1, "ApplicationSubmitted", v1_submitted(app)), too_new]
        )


def _published() -> dict[tuple[str, str], set[int]]:
    versions: dict[tuple[str, str], set[int]] = {}
    for path in EVENTS.glob("*/*.schema.json"):
        event_type, version = path.name.split(".")[:2]
        versions.setdefault((path.parent.name, event_type), set()).add(int(version[1:]))
    return versions


def test_every_contract_reads_up_to_the_latest_published_version_of_each_event() -> None:
    published = _published()
    assert published[("exhibitors", "ApplicationSubmitted")] == {1, 2}
    for (service, event_type), versions in published.items():
        assert versions == set(range(1, max(versions) + 1)), (service, event_type)
        latest = READER.services[service].latest(event_type)
        assert latest == max(versions), f"{service}.{event_type}: reads v{latest}"
