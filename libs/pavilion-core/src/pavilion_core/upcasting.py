"""Upcasting: an event recorded at an older version of its schema is read as the
latest one, so that code past the read sees only the latest shape.

A service's contract (pavilion_contracts.<service>) registers, per event type and
version, the function that turns that version's data into the next version's; the
latest version of a type is one past its last upcaster (1 when it has none). Streams
are upcast as aggregates load them (`Aggregate.replay`), topics as consumers decode
them (`TopicReader`, used by the consumer loop and the notifications agent); stored
and published events are never rewritten.

An event of a version newer than the reader knows is not guessed at:
`UnreadableVersion` is raised, a DecodeError — a consumer parks it (and its record's
later messages) until it is upgraded and the record is redriven.
"""

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from pavilion_core.envelope import (
    CloudEvent,
    DecodeError,
    Headers,
    RecordedEvent,
    ce_type,
    from_kafka,
)

Data = dict[str, Any]
Upcaster = Callable[[Data], Data]


class UnreadableVersion(DecodeError):
    """An event of a version newer than this code knows."""


class Upcasters:
    """One service's upcasters: (event type, from version) → the function returning the
    next version's data."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        """A decorator: the upcaster of `event_type` from `from_version` to the next.
        Versions are registered in order, each once, so that every chain is whole."""

        def add(step: Upcaster) -> Upcaster:
            if from_version != self.latest(event_type):
                raise ValueError(
                    f"{self.service} {event_type}: the next upcaster is from "
                    f"v{self.latest(event_type)}, not v{from_version}"
                )
            self._steps[(event_type, from_version)] = step
            return step

        return add

    def latest(self, event_type: str) -> int:
        """The version of `event_type` this code knows as the latest."""
        version = 1
        while (event_type, version) in self._steps:
            version += 1
        return version

    def ce_type(self, event_type: str) -> str:
        """The CloudEvents type of `event_type` at its latest version (what consumers
        dispatch on once events are upcast)."""
        return ce_type(self.service, event_type, self.latest(event_type))

    def upcast(self, event_type: str, version: int, data: Data) -> Data:
        """`data` of `event_type` at `version` as the latest version's."""
        latest = self.latest(event_type)
        if version > latest:
            raise UnreadableVersion(
                f"{self.service}.{event_type}.v{version} is newer than this reader knows "
                f"(v{latest}): upgrade it, then redrive"
            )
        for step in range(version, latest):
            data = self._steps[(event_type, step)](data)
        return data

    def recorded(self, event: RecordedEvent) -> RecordedEvent:
        """A stored event as the latest version of its type."""
        latest = self.latest(event.type)
        if event.schema_version == latest:
            return event
        data = self.upcast(event.type, event.schema_version, event.data)
        return replace(event, schema_version=latest, data=data)


class TopicReader:
    """How a consumer reads the events of its topics: each as the latest version its
    producer's contract knows (a service with no upcasters given knows only v1s)."""

    def __init__(self, *services: Upcasters) -> None:
        self.services: Mapping[str, Upcasters] = {u.service: u for u in services}

    def ce_type(self, service: str, event_type: str) -> str:
        """The CloudEvents type `read` gives events of `event_type` (its latest)."""
        return self._of(service).ce_type(event_type)

    def decode(self, value: bytes | None, headers: Headers) -> CloudEvent:
        """A message of the topics, decoded and read as the latest version."""
        return self.read(from_kafka(value, headers))

    def read(self, event: CloudEvent) -> CloudEvent:
        """`event` as the latest version of its type (its `type` says so)."""
        service = event.type.split(".")[1]
        upcasters = self._of(service)
        latest = upcasters.latest(event.event_type)
        if event.schema_version == latest:
            return event
        data = upcasters.upcast(event.event_type, event.schema_version, event.data)
        return replace(event, type=ce_type(service, event.event_type, latest), data=data)

    def _of(self, service: str) -> Upcasters:
        return self.services.get(service) or Upcasters(service)
