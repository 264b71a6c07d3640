"""Events as stored, and as CloudEvents 1.0 in Kafka binary mode.

In binary mode the attributes travel as `ce_*` headers and the value is the event's
JSON data. Pavilion's extension attributes: `correlationid`, `causationid`, `actor`,
`streamversion`, `recordedtime`.

Two times: `ce_time` is when the event happened (CloudEvents' `time`), and
`ce_recordedtime` when the event store recorded it. They differ only for history
imported with its original times (the metadata's `occurred_at`); an event is *history*
when it happened more than `HISTORY_AGE` before it was recorded (`is_history`): no one
is notified of it. `ce_type` is `pavilion.<service>.<EventType>.v<schema version>`, and
`ce_dataschema` the `$id` of that version's JSON Schema (schemas/events/), which the
schema registry keeps under the subject named like `ce_type` (`registry_subject`).
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import orjson

SPEC_VERSION = "1.0"
SCHEMAS_BASE = "https://pavilion.dev/schemas/events"
CONTENT_TYPE = "application/json"
Headers = Sequence[tuple[str, bytes]]
HISTORY_AGE = timedelta(hours=1)
"""How much earlier than its recording an event must have happened to be history."""


def is_history(occurred: datetime, recorded: datetime) -> bool:
    """An event recorded long after it happened (imported history): the one rule."""
    return recorded - occurred > HISTORY_AGE


@dataclass(frozen=True)
class Metadata:
    """Who caused an event and in the course of which request; `occurred_at` when it
    happened, if that was before it was recorded (imported history)."""

    correlation_id: str
    causation_id: str | None = None
    actor: str = "system"
    occurred_at: datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        stored = {
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": self.actor,
        }
        if self.occurred_at is not None:
            stored["occurred_at"] = self.occurred_at.isoformat()
        return stored


@dataclass(frozen=True)
class NewEvent:
    """An event decided by an aggregate, not yet stored."""

    type: str
    data: Mapping[str, Any]
    schema_version: int = 1


@dataclass(frozen=True)
class RecordedEvent:
    """An event as the event store holds it."""

    event_id: UUID
    stream_id: str
    version: int
    position: int
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime

    @property
    def occurred_at(self) -> datetime:
        """When it happened: the original time of imported history, else its recording."""
        original = self.metadata.get("occurred_at")
        return datetime.fromisoformat(original) if original else self.recorded_at


@dataclass(frozen=True)
class KafkaRecord:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass(frozen=True)
class CloudEvent:
    """A decoded message from a Pavilion topic."""

    id: str
    source: str
    type: str
    subject: str
    time: datetime
    """When it happened (`ce_time`)."""
    data: dict[str, Any]
    stream_version: int
    correlation_id: str | None
    causation_id: str | None
    actor: str | None
    recorded_time: datetime
    """When the event store recorded it (`ce_recordedtime`; `time` in events published
    before the two were apart)."""

    # parts of `type`, read several times per event by every consumer: split once
    event_type: str = field(init=False, repr=False, compare=False)
    """The short name, e.g. `ApplicationSubmitted`."""
    schema_version: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        name, version = self.type.rsplit(".v", 1)
        object.__setattr__(self, "event_type", name.rsplit(".", 1)[-1])
        object.__setattr__(self, "schema_version", int(version))

    @property
    def is_history(self) -> bool:
        """Recorded long after it happened: imported history, which notifies no one."""
        return is_history(self.time, self.recorded_time)


class DecodeError(ValueError):
    """A message is not a well-formed Pavilion CloudEvent."""


def ce_type(service: str, event_type: str, schema_version: int) -> str:
    return f"pavilion.{service}.{event_type}.v{schema_version}"


def dataschema(service: str, event_type: str, schema_version: int) -> str:
    """The `$id` of the JSON Schema of `event_type` at `schema_version`."""
    return f"{SCHEMAS_BASE}/{service}/{event_type}.v{schema_version}.schema.json"


_SCHEMA_NAME = re.compile(
    r"(?:^|/)schemas/events/(?P<service>[a-z]+)/(?P<type>[A-Za-z]+)\.v(?P<version>[1-9][0-9]*)\.schema\.json$"
)


def registry_subject(schema: str) -> str:
    """The schema registry's subject of a `dataschema` (or of a schema file's path,
    `schemas/events/<service>/<Type>.v<N>.schema.json`): the event's `ce_type`."""
    found = _SCHEMA_NAME.search(schema)
    if found is None:
        raise ValueError(f"not a Pavilion event schema: {schema!r}")
    return ce_type(found["service"], found["type"], int(found["version"]))


def to_kafka(event: RecordedEvent, service: str) -> KafkaRecord:
    attributes = {
        "ce_specversion": SPEC_VERSION,
        "ce_id": str(event.event_id),
        "ce_source": f"/pavilion/{service}",
        "ce_type": ce_type(service, event.type, event.schema_version),
        "ce_dataschema": dataschema(service, event.type, event.schema_version),
        "ce_time": event.occurred_at.isoformat(),
        "ce_recordedtime": event.recorded_at.isoformat(),
        "ce_subject": event.stream_id,
        "ce_streamversion": str(event.version),
        "ce_correlationid": event.metadata.get("correlation_id"),
        "ce_causationid": event.metadata.get("causation_id"),
        "ce_actor": event.metadata.get("actor"),
        "content-type": CONTENT_TYPE,
    }
    headers = [(k, v.encode()) for k, v in attributes.items() if v is not None]
    value = json.dumps(event.data, separators=(",", ":")).encode()
    return KafkaRecord(key=event.stream_id.encode(), value=value, headers=headers)


def header_attributes(headers: Headers) -> dict[str, str]:
    """The message's headers as text; undecodable ones are a DecodeError."""
    try:
        return {k: v.decode() for k, v in headers}
    except (UnicodeDecodeError, AttributeError) as exc:
        raise DecodeError(f"header is not UTF-8 text: {exc}") from None


def from_kafka(value: bytes | None, headers: Headers) -> CloudEvent:
    attrs = header_attributes(headers)
    missing = [
        name
        for name in ("ce_id", "ce_source", "ce_type", "ce_subject", "ce_time", "ce_specversion")
        if not attrs.get(name)
    ]
    if missing:
        raise DecodeError(f"missing CloudEvents attributes: {', '.join(missing)}")
    if attrs["ce_specversion"] != SPEC_VERSION:
        raise DecodeError(f"unsupported specversion {attrs['ce_specversion']!r}")
    if attrs["ce_type"].count(".") < 3 or ".v" not in attrs["ce_type"]:
        raise DecodeError(f"ce_type {attrs['ce_type']!r} is not pavilion.<service>.<Type>.v<N>")
    try:
        data = orjson.loads(value) if value else None  # a third of the stdlib's time
        time = datetime.fromisoformat(attrs["ce_time"])
        recorded = attrs.get("ce_recordedtime")
        recorded_time = datetime.fromisoformat(recorded) if recorded else time
        stream_version = int(attrs.get("ce_streamversion", "0"))
        int(attrs["ce_type"].rsplit(".v", 1)[1])
    except ValueError as exc:
        raise DecodeError(f"malformed event: {exc}") from None
    if not isinstance(data, dict):
        raise DecodeError("value is not a JSON object")
    return CloudEvent(
        id=attrs["ce_id"],
        source=attrs["ce_source"],
        type=attrs["ce_type"],
        subject=attrs["ce_subject"],
        time=time,
        data=data,
        stream_version=stream_version,
        correlation_id=attrs.get("ce_correlationid"),
        causation_id=attrs.get("ce_causationid"),
        actor=attrs.get("ce_actor"),
        recorded_time=recorded_time,
    )
