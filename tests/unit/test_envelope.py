"""CloudEvents binary-mode mapping, both ways, and what is refused."""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from pavilion_core.envelope import (
    HISTORY_AGE,
    DecodeError,
    Metadata,
    RecordedEvent,
    from_kafka,
    registry_subject,
    to_kafka,
)


def recorded(**data: object) -> RecordedEvent:
    return RecordedEvent(
        event_id=uuid4(),
        stream_id="stream-1",
        version=3,
        position=42,
        type="ApplicationSubmitted",
        schema_version=1,
        data=dict(data),
        metadata={"correlation_id": "corr", "causation_id": None, "actor": "alice"},
        recorded_at=datetime(2026, 6, 22, 9, 0, tzinfo=UTC),
    )


def test_an_event_round_trips_through_kafka_binary_mode():
    event = recorded(companyName="Acme")
    record = to_kafka(event, "exhibitors")
    headers = dict(record.headers)

    assert record.key == b"stream-1"
    assert headers["ce_type"] == b"pavilion.exhibitors.ApplicationSubmitted.v1"
    assert headers["ce_dataschema"] == (
        b"https://pavilion.dev/schemas/events/exhibitors/ApplicationSubmitted.v1.schema.json"
    )
    assert headers["ce_source"] == b"/pavilion/exhibitors"
    assert headers["content-type"] == b"application/json"
    assert "ce_causationid" not in headers  # absent attributes are left out, not empty
    decoded = from_kafka(record.value, record.headers)
    assert decoded.id == str(event.event_id)
    assert (decoded.event_type, decoded.schema_version) == ("ApplicationSubmitted", 1)
    assert decoded.subject == "stream-1" and decoded.stream_version == 3
    assert decoded.time == decoded.recorded_time == event.recorded_at
    assert headers["ce_time"] == headers["ce_recordedtime"] and not decoded.is_history
    assert (decoded.correlation_id, decoded.actor) == ("corr", "alice")
    assert decoded.data == {"companyName": "Acme"}


def test_the_registry_subject_of_a_dataschema_is_the_events_ce_type():
    headers = dict(to_kafka(recorded(), "exhibitors").headers)
    assert registry_subject(headers["ce_dataschema"].decode()) == headers["ce_type"].decode()
    file = "schemas/events/outreach/VisitBooked.v12.schema.json"
    assert registry_subject(file) == "pavilion.outreach.VisitBooked.v12"
    for wrong in ("https://pavilion.dev/schemas/events/Typo.v1.schema.json", "a/B.v0.schema.json"):
        with pytest.raises(ValueError, match="not a Pavilion event schema"):
            registry_subject(wrong)


def _with(record_headers: list[tuple[str, bytes]], **changes: bytes | None):
    headers = dict(record_headers)
    for key, value in changes.items():
        if value is None:
            headers.pop(key.replace("__", "-"))
        else:
            headers[key.replace("__", "-")] = value
    return list(headers.items())


@pytest.mark.parametrize(
    ("value", "changes", "reason"),
    [
        (b"{}", {"ce_type": None}, "missing CloudEvents attributes: ce_type"),
        (b"{}", {"ce_specversion": b"0.3"}, "unsupported specversion"),
        (b"{}", {"ce_type": b"Happened"}, "is not pavilion.<service>.<Type>.v<N>"),
        (b"{}", {"ce_time": b"yesterday"}, "malformed event"),
        (b"{}", {"ce_id": b"\xff\xfe"}, "not UTF-8"),
        (b"{not json", {}, "malformed event"),
        (b"[1, 2]", {}, "not a JSON object"),
        (None, {}, "not a JSON object"),
    ],
)
def test_malformed_messages_are_decode_errors(value, changes, reason):
    good = to_kafka(recorded(), "exhibitors")
    with pytest.raises(DecodeError, match=reason):
        from_kafka(value, _with(good.headers, **changes))


def test_data_is_compact_json():
    assert (
        to_kafka(recorded(a=[1, 2]), "x").value
        == json.dumps({"a": [1, 2]}).replace(" ", "").encode()
    )


def test_history_travels_with_its_original_time_apart_from_its_recording():
    happened = datetime(2025, 9, 14, 10, 30, tzinfo=UTC)
    metadata = Metadata("corr", actor="history", occurred_at=happened).as_dict()
    event = replace(recorded(), metadata=metadata)
    assert event.occurred_at == happened
    record = to_kafka(event, "exhibitors")
    headers = dict(record.headers)
    assert headers["ce_time"] == happened.isoformat().encode()
    assert headers["ce_recordedtime"] == event.recorded_at.isoformat().encode()
    decoded = from_kafka(record.value, record.headers)
    assert (decoded.time, decoded.recorded_time) == (happened, event.recorded_at)
    assert decoded.is_history


def test_an_event_is_history_only_when_it_happened_more_than_the_history_age_before():
    at = datetime(2026, 6, 22, 9, 0, tzinfo=UTC)
    for age, history in [(timedelta(0), False), (HISTORY_AGE, False), (HISTORY_AGE * 2, True)]:
        metadata = Metadata("corr", occurred_at=at - age).as_dict()
        record = to_kafka(replace(recorded(), metadata=metadata), "exhibitors")
        assert from_kafka(record.value, record.headers).is_history is history


def test_a_message_from_before_the_recorded_time_reads_its_time_as_both():
    good = to_kafka(recorded(), "exhibitors")
    decoded = from_kafka(good.value, _with(good.headers, ce_recordedtime=None))
    assert decoded.recorded_time == decoded.time and not decoded.is_history


def test_metadata_without_an_original_time_is_stored_as_before():
    assert "occurred_at" not in Metadata("corr").as_dict()
