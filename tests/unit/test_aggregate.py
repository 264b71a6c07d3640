"""A stream's kind is fixed by the event that opened it: an aggregate loads only
streams opened by its own events, and every kind of aggregate must name them. Its
`when` sees typed events, replayed or just recorded alike."""

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import ClassVar

import pytest
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.envelope import RecordedEvent
from pavilion_core.errors import NotFound
from pavilion_core.upcasting import Upcasters


@dataclass(frozen=True)
class InterestCaptured(Event):
    interest_id: str


@dataclass
class Interest(Aggregate):
    opened_by = (InterestCaptured,)
    upcasters = Upcasters("test")
    events: ClassVar[dict[str, type[Event]]] = {"InterestCaptured": InterestCaptured}
    id: str
    version: int = 0
    seen: list[Event] = field(default_factory=list)

    def when(self, event: Event) -> None:
        self.seen.append(event)

    def capture(self) -> None:
        self._record(InterestCaptured(self.id))


def recorded(stream: str, event_type: str) -> RecordedEvent:
    data = {"interestId": stream}
    return RecordedEvent(uuid.uuid4(), stream, 1, 1, event_type, 1, data, {}, datetime.now(UTC))


def test_a_stream_opened_by_another_kind_is_not_found() -> None:
    contact = str(uuid.uuid4())
    with pytest.raises(NotFound, match=f"no interest {contact}"):
        Interest(contact).replay([recorded(contact, "ContactRegistered")])
    assert Interest(contact).replay([recorded(contact, "InterestCaptured")]).version == 1


def test_an_aggregate_that_names_no_opening_event_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="Forgetful must name the events"):

        class Forgetful(Aggregate):
            pass


def test_an_aggregate_that_names_no_upcasters_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="Unread must name the upcasters"):

        class Unread(Aggregate):
            opened_by = (InterestCaptured,)


def test_an_aggregate_that_names_no_event_types_is_refused_when_defined() -> None:
    with pytest.raises(TypeError, match="Untyped must name the types"):

        class Untyped(Aggregate):
            opened_by = (InterestCaptured,)
            upcasters = Upcasters("test")


def test_replay_hands_when_the_typed_event_and_skips_types_it_does_not_know() -> None:
    interest = str(uuid.uuid4())
    history = [recorded(interest, "InterestCaptured"), recorded(interest, "SomethingNewer")]
    replayed = Interest(interest).replay(history)
    assert replayed.seen == [InterestCaptured(interest)]
    assert replayed.version == 2


def test_a_recorded_event_is_applied_as_itself_and_held_as_its_data() -> None:
    interest = Interest(str(uuid.uuid4()))
    interest.capture()
    assert interest.seen == [InterestCaptured(interest.id)]
    assert [(n.type, n.data) for n in interest.pending] == [
        ("InterestCaptured", {"interestId": interest.id})
    ]
    assert interest.version == 1
