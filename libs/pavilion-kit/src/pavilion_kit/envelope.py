"""A message of a Pavilion topic read as a CloudEvent 1.0 (Kafka binary mode: the
attributes are `ce_*` headers, the value is the event's JSON) and typed by its
`ce_type`, or, when this kit cannot type it, an UnknownEvent saying why."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pavilion_kit.event import Event
from pavilion_kit.events import EVENTS

REQUIRED = (
    "ce_id",
    "ce_source",
    "ce_type",
    "ce_subject",
    "ce_time",
    "ce_specversion",
    "ce_streamversion",
)


class Record(Protocol):
    """What the kit reads of a consumed message (aiokafka's ConsumerRecord)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...
    @property
    def value(self) -> bytes | None: ...


@dataclass(frozen=True)
class Envelope:
    """The CloudEvents attributes of a message, and where it was read."""

    id: str
    """`ce_id`: the event's id, the same on every delivery of it."""
    source: str
    type: str
    """`ce_type`, e.g. `pavilion.exhibitors.ApplicationSubmitted.v2`."""
    subject: str
    """`ce_subject`: the record (stream) the event belongs to; also the message key."""
    time: datetime
    """`ce_time`: when the event happened."""
    recorded_time: datetime
    """`ce_recordedtime`: when Pavilion recorded it — later than `time` for history
    imported with its original times (`time` for events from before it was sent)."""
    dataschema: str | None
    """The `$id` of the JSON Schema of this type and version (absent from old events)."""
    correlation_id: str | None
    causation_id: str | None
    actor: str | None
    stream_version: int
    """The event's position in its record's stream (`ce_subject`), from 1."""
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class UnknownEvent:
    """A message this kit cannot type: a `ce_type` it does not know (a newer version or
    a new type: upgrade the kit), data that does not fit its type, or a message that is
    not a Pavilion CloudEvent. Skip it knowingly, or stop and upgrade."""

    topic: str
    partition: int
    offset: int
    reason: str
    envelope: Envelope | None
    """None when the headers are not a CloudEvent's."""
    data: Any
    """The decoded JSON value, None when it is not JSON."""


def parse(record: Record) -> tuple[Envelope, Event] | UnknownEvent:
    """The envelope and typed event of a message, or why it has none."""

    def unknown(reason: str, envelope: Envelope | None = None, data: Any = None) -> UnknownEvent:
        return UnknownEvent(record.topic, record.partition, record.offset, reason, envelope, data)

    try:
        attrs = {key: value.decode() for key, value in record.headers}
    except UnicodeDecodeError:
        return unknown("a header is not UTF-8 text")
    missing = [name for name in REQUIRED if not attrs.get(name)]
    if missing:
        return unknown(f"not a CloudEvent: no {', '.join(missing)}")
    try:
        data = json.loads(record.value) if record.value else None
        envelope = Envelope(
            id=attrs["ce_id"],
            source=attrs["ce_source"],
            type=attrs["ce_type"],
            subject=attrs["ce_subject"],
            time=datetime.fromisoformat(attrs["ce_time"]),
            recorded_time=datetime.fromisoformat(attrs.get("ce_recordedtime", attrs["ce_time"])),
            dataschema=attrs.get("ce_dataschema"),
            correlation_id=attrs.get("ce_correlationid"),
            causation_id=attrs.get("ce_causationid"),
            actor=attrs.get("ce_actor"),
            stream_version=int(attrs["ce_streamversion"]),
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
        )
    except ValueError as exc:  # JSON, time or stream version
        return unknown(f"malformed: {exc}")
    kind = EVENTS.get(envelope.type)
    if kind is None:
        return unknown(f"{envelope.type} is not known to this kit: upgrade it", envelope, data)
    if not isinstance(data, dict):
        return unknown("the value is not a JSON object", envelope, data)
    try:
        return envelope, kind.from_data(data)
    except TypeError as exc:  # a required property missing
        return unknown(f"{envelope.type} does not fit: {exc}", envelope, data)
