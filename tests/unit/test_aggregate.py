"""A stream's kind is fixed by the event that opened it: an aggregate loads only
streams opened by its own events, and every kind of aggregate must name them."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

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
    id: str
    version: int = 0

    def when(self, event_type: str, data: dict[str, Any]) -> None:
        pass


def recorded(stream: str, event_type: str) -> RecordedEvent:
    return RecordedEvent(uuid.uuid4(), stream, 1, 1, event_type, 1, {}, {}, datetime.now(UTC))


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
