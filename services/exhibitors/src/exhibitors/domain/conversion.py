"""An outreach interest's conversion as exhibitors answered it: the saga's state on this
side. Its stream is keyed by the interest, so every instance and every replay of the
reactor meets the same record: a conversion (named by the interest's stream version at
its InterestConverted) once refused stays refused, and is refused once."""

from dataclasses import dataclass, field
from typing import Any

from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event

from exhibitors import events as e


def conversion_id(interest_id: str) -> str:
    return f"conversion:{interest_id}"


@dataclass
class Conversion(Aggregate):
    opened_by = (e.ConversionRefused,)
    upcasters = UPCASTERS
    interest_id: str
    refused: set[int] = field(default_factory=set)
    version: int = 0

    @property
    def stream_id(self) -> str:
        return conversion_id(self.interest_id)

    def refuse(self, interest_version: int, code: str, reason: str) -> list[Event]:
        if interest_version in self.refused:
            return []
        return self._record(e.ConversionRefused(self.interest_id, interest_version, code, reason))

    def when(self, event_type: str, d: dict[str, Any]) -> None:
        if event_type == "ConversionRefused":
            self.refused.add(d["interestVersion"])
