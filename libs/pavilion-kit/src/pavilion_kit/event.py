"""The base of every typed event (pavilion_kit.events)."""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self


def wire_name(field: str) -> str:
    """`booth_code` as `boothCode`: a field's name in the event's JSON."""
    head, *rest = field.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(frozen=True, kw_only=True)
class Event:
    """An event of one type and version: its fields are the properties of that version's
    schema, snake_case; a property the schema does not require is None when absent."""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Self:
        """The event whose JSON data is `data`. A property this type does not know is
        left out (a version may gain optional properties, which an older kit reads
        past); a required one missing is a TypeError."""
        known = {wire_name(f.name): f.name for f in fields(cls)}
        return cls(**{known[key]: value for key, value in data.items() if key in known})
