"""An outreach interest's conversion as exhibitors answered it: the saga's state on this
side. Its stream is keyed by the interest, so every instance and every replay of the
reactor meets the same record: a conversion (named by the interest's stream version at
its InterestConverted) once refused stays refused, and is refused once."""

from dataclasses import dataclass, field

from pavilion_contracts.exhibitors import events as e
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event


def conversion_id(interest_id: str) -> str:
    return f"conversion:{interest_id}"


@dataclass
class Conversion(Aggregate):
    opened_by = (e.ConversionRefused,)
    upcasters = UPCASTERS
    events = e.EVENTS
    interest_id: str
    refused: set[int] = field(default_factory=set)
    version: int = 0

    @property
    def stream_id(self) -> str:
        return conversion_id(self.interest_id)

    def refuse(self, interest_version: int, code: str, reason: str) -> list[Event]:
        if interest_version in self.refused:
            return []
        return self._record(
            e.ConversionRefused(
                interest_id=self.interest_id,
                interest_version=interest_version,
                code=code,
                reason=reason,
            )
        )

    def when(self, event: Event) -> None:
        if isinstance(event, e.ConversionRefused):
            self.refused.add(event.interest_version)
