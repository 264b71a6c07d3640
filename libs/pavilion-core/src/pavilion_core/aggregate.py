"""Event-sourced aggregates and the unit of work a command runs in. No domain here:
services subclass these with their own aggregates and events."""

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar, cast

from pavilion_core.envelope import NewEvent, RecordedEvent
from pavilion_core.errors import NotFound
from pavilion_core.eventstore import Load
from pavilion_core.upcasting import Upcasters

_DECIDED = itertools.count()  # orders the streams of a command as it first changed them


def camel(key: str) -> str:
    """`booth_code` as `boothCode`: a field's name on the wire."""
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True)
class Event:
    """A domain event: its class name is its type, its fields (camelCase) its data, in
    the shape of the latest version of its type."""

    def to_new_event(self, upcasters: Upcasters) -> NewEvent:
        """The event to store, at the latest version its service's contract knows."""
        name = type(self).__name__
        return NewEvent(name, self.as_data(), upcasters.latest(name))

    def as_data(self) -> dict[str, Any]:
        """Its data as on the wire: camelCase keys."""
        return {camel(k): v for k, v in asdict(self).items()}

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        """The event of this type whose (latest-version, unsealed) data is `data`; a
        field the data lacks (one its schema does not require) is None. A property this
        type does not know is left out: a schema may gain optional properties within a
        version, and a reader built before them reads on (a required one missing is a
        TypeError)."""
        known = {camel(f.name): f.name for f in fields(cls)}
        return cls(**{known[key]: value for key, value in data.items() if key in known})


class Aggregate:
    """State changes only by events, whether replayed from the stream or just decided.

    A stream's kind is fixed by the event that opened it: `opened_by` names the events
    that open a stream of this kind. A stream opened by another is another kind of
    record, and loading it as this one is NOT_FOUND — so an id of the wrong kind is
    never read, nor appended to, as a record of this kind.

    `upcasters` (its service's contract) read each event of the stream as the latest
    version of its type (pavilion_core.upcasting), which `events` (the contract's types
    by name) makes the typed event `when` sees.

    What a command decides is held as the aggregate's `pending` events, which its
    Session appends: a rule that records an event cannot forget to have it stored.

    `bookkeeping`: events the system records about the record that change nothing a
    caller decides on (a follow-up announced overdue). A caller's expected version is
    not stale for them (EventStorePort.execute_many).
    """

    version: int
    opened_by: ClassVar[tuple[type[Event], ...]]
    upcasters: ClassVar[Upcasters]
    events: ClassVar[Mapping[str, type[Event]]]
    bookkeeping: ClassVar[tuple[type[Event], ...]] = ()

    @classmethod
    def bookkeeping_types(cls) -> frozenset[str]:
        return frozenset(kind.__name__ for kind in cls.bookkeeping)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A kind of aggregate cannot forget to say which events open its streams, nor
        whose contract reads them."""
        super().__init_subclass__(**kwargs)
        if not getattr(cls, "opened_by", ()):
            raise TypeError(f"{cls.__name__} must name the events that open its streams")
        if not isinstance(getattr(cls, "upcasters", None), Upcasters):
            raise TypeError(f"{cls.__name__} must name the upcasters of its service's events")
        if not getattr(cls, "events", None):
            raise TypeError(f"{cls.__name__} must name the types of its service's events")

    @property
    def stream_id(self) -> str:
        raise NotImplementedError

    def when(self, event: Event) -> None:
        """Change state by one event; types it does not know change nothing."""
        raise NotImplementedError

    def replay(self, history: Sequence[RecordedEvent]) -> Self:
        if history and history[0].type not in {kind.__name__ for kind in self.opened_by}:
            raise NotFound(f"no {_words(type(self).__name__)} {history[0].stream_id}")
        for recorded in map(self.upcasters.recorded, history):
            self.version += 1
            if kind := self.events.get(recorded.type):
                self.when(kind.from_data(recorded.data))
        return self

    @property
    def pending(self) -> list[NewEvent]:
        """The events decided since the stream was loaded, to append."""
        pending: list[NewEvent] = self.__dict__.setdefault("_pending", [])
        return pending

    def _record(self, *events: Event) -> list[Event]:
        """Apply and hold `events` (returned, for the caller that looks at them)."""
        if events and not self.pending:
            self.__dict__["_first_decided"] = next(_DECIDED)
        for event in events:
            self.pending.append(event.to_new_event(self.upcasters))
            self.version += 1
            self.when(event)
        return list(events)


def _words(name: str) -> str:
    """`FollowUp` as "follow up": a kind of record as a message names it."""
    return " ".join(re.findall(r"[A-Z][a-z]*", name)).lower()


A = TypeVar("A", bound=Aggregate)


class Session:
    """A command's view of the aggregates it touches: each loaded once, changed in
    memory, their pending events appended per stream in one atomic append."""

    def __init__(self, load: Load, now: datetime) -> None:
        self.load, self.now = load, now
        self.aggregates: dict[str, Aggregate] = {}

    async def get(self, stream_id: str, fresh: Callable[[], A]) -> A:
        """The aggregate of `stream_id`, loaded on first use."""
        if stream_id not in self.aggregates:
            self.aggregates[stream_id] = fresh().replay(await self.load(stream_id))
        return cast(A, self.aggregates[stream_id])

    def new_events(self) -> Mapping[str, Sequence[NewEvent]]:
        """Each changed stream's pending events, streams in the order first changed."""
        changed = [a for a in self.aggregates.values() if a.pending]
        changed.sort(key=lambda a: a.__dict__["_first_decided"])
        return {a.stream_id: a.pending for a in changed}
