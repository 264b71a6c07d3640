"""The event store port: streams of events with optimistic concurrency, idempotent
commands, and atomic appends across streams. `pgstore` implements it on PostgreSQL,
`testing.InMemoryEventStore` in memory; the contract tests hold both to it.

An idempotency key is its caller's: a retry by the caller who sent it is answered with
the first result, while the same key sent by another caller is that caller's own (a new
request, run as such — never another caller's answer, nor a refusal that would tell
them the key was taken). A key is kept for a stated time (24 hours unless configured);
after that it is forgotten and the same key is a new request.
"""

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from pavilion_core.envelope import Metadata, NewEvent, RecordedEvent
from pavilion_core.errors import CommandRejected

_RETRIES = 5
KEY_RETENTION = timedelta(hours=24)
HISTORY_KEY_RETENTION = timedelta(days=365 * 100)
"""History is imported once for good: its keys outlive any re-run of the same file."""


class ConcurrencyError(Exception):
    """A stream changed since the caller read it."""


class WrongExpectedVersion(ConcurrencyError):
    def __init__(self, stream_id: str, expected: int, actual: int) -> None:
        super().__init__(f"stream {stream_id} is at version {actual}, not {expected}")
        self.stream_id, self.expected, self.actual = stream_id, expected, actual


class StreamOrderingConflict(ConcurrencyError):
    """This transaction's id predates the stream's last append; retry in a new one."""


class IdempotencyKeyInUse(ConcurrencyError):
    """Another request with the same key committed first: its result is the answer."""


class HistoryOutOfOrder(CommandRejected):
    """History that would go before what a stream already records: a stream's events
    are in the order they happened."""

    code = "OUT_OF_ORDER"

    def __init__(self, stream_id: str, occurred_at: datetime, latest: datetime) -> None:
        super().__init__(
            f"{stream_id} already records an event of {latest.isoformat()}, after"
            f" {occurred_at.isoformat()}: import a stream's history in order"
        )


class IdempotencyKeyReused(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for a different request")
        self.key = key


@dataclass(frozen=True)
class IdempotencyKey:
    """A key as its caller's: `caller` is the actor the request runs for (the one its
    service token names), `fingerprint` tells a retry of the same request from the key
    reused for another, `kept_for` how long the first result answers retries."""

    caller: str
    key: str
    fingerprint: str
    kept_for: timedelta = KEY_RETENTION


@dataclass(frozen=True)
class CommandContext:
    """What comes with every command besides its own fields. `occurred_at`: the command
    is history, decided as of that time (imported with its original time), and every
    event it appends carries that time in its metadata."""

    metadata: Metadata
    expected_version: int | None = None
    idempotency_key: str | None = None
    fingerprint: str = ""
    occurred_at: datetime | None = None

    def stamped(self) -> Metadata:
        """The metadata of the events the command appends."""
        return replace(self.metadata, occurred_at=self.occurred_at)

    def idempotency(self, kept_for: timedelta) -> IdempotencyKey | None:
        """The command's key, if it has one, as the key of the actor it runs for (kept
        for good when the command is history)."""
        if self.idempotency_key is None:
            return None
        if self.occurred_at is not None:
            kept_for = HISTORY_KEY_RETENTION
        return IdempotencyKey(self.metadata.actor, self.idempotency_key, self.fingerprint, kept_for)


@dataclass(frozen=True)
class AppendResult:
    """What a command appended: to `stream_id` (its primary stream) `event_ids` at
    `positions`, making it `version`; `streams` has the new version of every stream it
    appended to, the primary among them (what read-your-writes waits for)."""

    stream_id: str
    version: int
    event_ids: list[str]
    positions: list[int]
    streams: dict[str, int]
    replayed: bool = False  # answered from the idempotency key, nothing appended


@dataclass(frozen=True)
class StreamAppend:
    """New events for one stream. `expected_version`: None = any, 0 = a new stream."""

    stream_id: str
    events: Sequence[NewEvent]
    expected_version: int | None


def request_hash(payload: Any) -> str:
    """A stable fingerprint of a command, to tell a retry from a reused key."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


Decide = Callable[[list[RecordedEvent]], Sequence[NewEvent]]
Load = Callable[[str], Awaitable[list[RecordedEvent]]]
Plan = Callable[[Load], Awaitable[Mapping[str, Sequence[NewEvent]]]]


class EventStorePort(ABC):
    """What handlers need of an event store. Idempotency keys of its commands are kept
    for `key_retention`."""

    key_retention: timedelta = KEY_RETENTION

    @abstractmethod
    async def read_stream(self, stream_id: str) -> list[RecordedEvent]: ...

    @abstractmethod
    async def stream_ids(self, prefix: str) -> list[str]:
        """The ids of the streams that exist and start with `prefix`, in order: how a
        kind of record whose ids share a prefix (the halls of an edition) is found."""

    @abstractmethod
    async def find_idempotent(self, key: IdempotencyKey) -> AppendResult | None:
        """The result of the caller's live request with this key; raises if it was
        another request."""

    @abstractmethod
    async def append_many(
        self,
        appends: Sequence[StreamAppend],
        metadata: Metadata,
        idempotency: IdempotencyKey | None = None,
    ) -> AppendResult:
        """Append to every stream or none; returns the first stream's result, with the
        versions of all."""

    async def append(
        self,
        stream_id: str,
        events: Sequence[NewEvent],
        *,
        expected_version: int | None,
        metadata: Metadata,
    ) -> AppendResult:
        return await self.append_many([StreamAppend(stream_id, events, expected_version)], metadata)

    async def execute(self, stream_id: str, decide: Decide, ctx: CommandContext) -> AppendResult:
        """Run a command on one stream: `decide` gets its events and returns new ones."""

        async def plan(load: Load) -> Mapping[str, Sequence[NewEvent]]:
            return {stream_id: decide(await load(stream_id))}

        return await self.execute_many(stream_id, plan, ctx)

    async def execute_many(
        self, primary: str, plan: Plan, ctx: CommandContext, bookkeeping: Collection[str] = ()
    ) -> AppendResult:
        """Run a command that may touch several streams, atomically.

        A retry of an idempotency key returns the first result. Otherwise `plan` loads
        the streams it needs through the loader it is given (the primary one first),
        decides, and returns new events per stream; they are appended at the versions
        loaded. A plan that decides nothing appends nothing (the result has no events).
        `ctx.expected_version`, when given, pins the primary stream: a change there is a
        conflict for the caller — but for events of the types in `bookkeeping`, which
        the system records about the record and change nothing a caller decides on (a
        follow-up announced overdue). Any other concurrent change (and any change at
        all when no version is pinned) re-runs the plan on fresh state.
        """
        key = ctx.idempotency(self.key_retention)
        for attempt in range(_RETRIES):
            if key and (done := await self.find_idempotent(key)):
                return done
            versions: dict[str, int] = {}
            load = self._loader(versions)
            stream = await load(primary)
            expected = ctx.expected_version
            if expected is not None and not _seen(stream, expected, bookkeeping):
                raise WrongExpectedVersion(primary, expected, len(stream))
            changes = {s: events for s, events in (await plan(load)).items() if events}
            if not changes:  # decided that nothing needs to change (an idempotent no-op)
                return AppendResult(
                    primary, versions[primary], [], [], {primary: versions[primary]}
                )
            if primary not in changes:
                raise ValueError(f"a command that changes anything must change {primary}")
            if unloaded := set(changes) - set(versions):
                raise ValueError(f"streams appended to without loading them: {unloaded}")
            if ctx.occurred_at is not None:
                await _in_order(load, changes, ctx.occurred_at)
            appends = [StreamAppend(primary, changes[primary], versions[primary])] + [
                StreamAppend(s, events, versions[s])
                for s, events in changes.items()
                if s != primary and events
            ]
            try:
                return await self.append_many(appends, ctx.stamped(), key)
            except WrongExpectedVersion:
                # a change came first: the next attempt reads it (and refuses the caller's
                # pinned version if that change matters)
                if attempt == _RETRIES - 1:
                    raise
        raise AssertionError("unreachable")

    def _loader(self, versions: dict[str, int]) -> Load:
        cache: dict[str, list[RecordedEvent]] = {}

        async def load(stream_id: str) -> list[RecordedEvent]:
            if stream_id not in cache:
                cache[stream_id] = await self.read_stream(stream_id)
                versions[stream_id] = len(cache[stream_id])
            return cache[stream_id]

        return load


def _seen(stream: Sequence[RecordedEvent], version: int, bookkeeping: Collection[str]) -> bool:
    """Whether a caller who saw the stream at `version` saw all of it that matters: the
    same version, or an earlier one followed by bookkeeping only."""
    return version <= len(stream) and all(e.type in bookkeeping for e in stream[version:])


async def _in_order(load: Load, changes: Mapping[str, object], occurred_at: datetime) -> None:
    """Refuse history earlier than the latest event of a stream it appends to."""
    for stream_id in changes:
        stream = await load(stream_id)
        if stream and (latest := max(e.occurred_at for e in stream)) > occurred_at:
            raise HistoryOutOfOrder(stream_id, occurred_at, latest)
