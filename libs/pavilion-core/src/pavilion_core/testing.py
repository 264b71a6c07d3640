"""In-memory fakes of the ports, for unit tests of domains and handlers."""

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import uuid4

from pavilion_core.envelope import Metadata, NewEvent, RecordedEvent
from pavilion_core.eventstore import (
    AppendResult,
    EventStorePort,
    IdempotencyKeyReused,
    WrongExpectedVersion,
)


class InMemoryEventStore(EventStorePort):
    """Behaves like the PostgreSQL store for one process (the contract tests say so)."""

    def __init__(self) -> None:
        self.streams: dict[str, list[RecordedEvent]] = defaultdict(list)
        self.keys: dict[str, tuple[str, AppendResult]] = {}
        self.position = 0

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        return list(self.streams.get(stream_id, []))

    async def find_idempotent(self, key: str, fingerprint: str) -> AppendResult | None:
        if key not in self.keys:
            return None
        stored_fingerprint, result = self.keys[key]
        if stored_fingerprint != fingerprint:
            raise IdempotencyKeyReused(key)
        return result

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int | None,
        metadata: Metadata,
        idempotency_key: str | None = None,
        fingerprint: str = "",
    ) -> AppendResult:
        if not events:
            raise ValueError("nothing to append")
        stream = self.streams[stream_id]
        if expected_version is not None and expected_version != len(stream):
            raise WrongExpectedVersion(stream_id, expected_version, len(stream))
        for event in events:
            self.position += 1
            stream.append(
                RecordedEvent(
                    event_id=uuid4(),
                    stream_id=stream_id,
                    version=len(stream) + 1,
                    position=self.position,
                    type=event.type,
                    schema_version=event.schema_version,
                    data=json.loads(json.dumps(event.data)),
                    metadata=metadata.as_dict(),
                    recorded_at=datetime.now(UTC),
                )
            )
        added = stream[-len(events) :]
        result = AppendResult(
            stream_id, len(stream), [str(e.event_id) for e in added], [e.position for e in added]
        )
        if idempotency_key:
            self.keys[idempotency_key] = (fingerprint, result)
        return result

    def all_events(self) -> list[RecordedEvent]:
        return sorted((e for s in self.streams.values() for e in s), key=lambda e: e.position)
