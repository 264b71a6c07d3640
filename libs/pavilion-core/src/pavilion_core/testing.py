"""In-memory fakes of the ports, for unit tests of domains and handlers."""

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from pavilion_core.envelope import Metadata, NewEvent, RecordedEvent
from pavilion_core.eventstore import (
    KEY_RETENTION,
    AppendResult,
    EventStorePort,
    IdempotencyKey,
    IdempotencyKeyReused,
    StreamAppend,
    WrongExpectedVersion,
)


@dataclass(frozen=True)
class _Kept:
    fingerprint: str
    result: AppendResult
    expires_at: datetime


class InMemoryEventStore(EventStorePort):
    """Behaves like the PostgreSQL store for one process (the contract tests say so)."""

    def __init__(self, key_retention: timedelta = KEY_RETENTION) -> None:
        self.streams: dict[str, list[RecordedEvent]] = defaultdict(list)
        self.keys: dict[tuple[str, str], _Kept] = {}
        self.position = 0
        self.key_retention = key_retention

    async def read_stream(self, stream_id: str) -> list[RecordedEvent]:
        return list(self.streams.get(stream_id, []))

    async def stream_ids(self, prefix: str) -> list[str]:
        return sorted(s for s, events in self.streams.items() if events and s.startswith(prefix))

    async def find_idempotent(self, key: IdempotencyKey) -> AppendResult | None:
        kept = self.keys.get((key.caller, key.key))
        if kept is None or kept.expires_at <= datetime.now(UTC):
            return None
        if kept.fingerprint != key.fingerprint:
            raise IdempotencyKeyReused(key.key)
        return replace(kept.result, replayed=True)

    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        metadata: Metadata,
        idempotency: IdempotencyKey | None = None,
    ) -> AppendResult:
        if not appends or not all(a.events for a in appends):
            raise ValueError("nothing to append")
        for append in appends:  # check all before changing any: all or nothing
            current = len(self.streams.get(append.stream_id, []))
            if append.expected_version not in (None, current):
                raise WrongExpectedVersion(append.stream_id, append.expected_version, current)
        results = [self._append(a, metadata) for a in appends]
        result = replace(results[0], streams={r.stream_id: r.version for r in results})
        if idempotency:
            expires = datetime.now(UTC) + idempotency.kept_for
            self.keys[(idempotency.caller, idempotency.key)] = _Kept(
                idempotency.fingerprint, result, expires
            )
        return result

    def given(self, stream_id: str, events: Sequence[NewEvent]) -> None:
        """A story's given: `events` in the stream before it starts (no loop needed)."""
        self._append(StreamAppend(stream_id, events, None), Metadata(correlation_id="given"))

    def _append(self, append: StreamAppend, metadata: Metadata) -> AppendResult:
        stream = self.streams[append.stream_id]
        for event in append.events:
            self.position += 1
            stream.append(
                RecordedEvent(
                    event_id=uuid4(),
                    stream_id=append.stream_id,
                    version=len(stream) + 1,
                    position=self.position,
                    type=event.type,
                    schema_version=event.schema_version,
                    data=json.loads(json.dumps(event.data)),
                    metadata=metadata.as_dict(),
                    recorded_at=datetime.now(UTC),
                )
            )
        added = stream[-len(append.events) :]
        return AppendResult(
            append.stream_id,
            len(stream),
            [str(e.event_id) for e in added],
            [e.position for e in added],
            {append.stream_id: len(stream)},
        )

    def all_events(self) -> list[RecordedEvent]:
        return sorted((e for s in self.streams.values() for e in s), key=lambda e: e.position)


class FixedClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta
