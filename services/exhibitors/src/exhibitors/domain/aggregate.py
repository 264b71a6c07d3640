"""What every aggregate of this service shares: its state changes only by events,
whether replayed from its stream or just decided."""

from collections.abc import Iterable
from typing import Any, Self

from pavilion_core.envelope import RecordedEvent

from exhibitors.events import Event


class Aggregate:
    version: int

    @property
    def stream_id(self) -> str:
        raise NotImplementedError

    def when(self, event_type: str, data: dict[str, Any]) -> None:
        """Change state by one event; unknown types change nothing."""
        raise NotImplementedError

    def replay(self, history: Iterable[RecordedEvent]) -> Self:
        for event in history:
            self._mutate(event.type, event.data)
        return self

    def _record(self, *events: Event) -> list[Event]:
        for event in events:
            new = event.to_new_event()
            self._mutate(new.type, dict(new.data))
        return list(events)

    def _mutate(self, event_type: str, data: dict[str, Any]) -> None:
        self.version += 1
        self.when(event_type, data)
