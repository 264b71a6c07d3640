"""Events the exhibitors service records, past tense, as they go on the topic."""

from dataclasses import asdict, dataclass
from typing import Any

from pavilion_core.envelope import NewEvent


@dataclass(frozen=True)
class ApplicationSubmitted:
    application_id: str
    edition: str
    company_name: str
    country: str
    supply_chain_areas: list[str]
    product_categories: list[str]
    contacts: list[dict[str, Any]]
    organization_id: str | None
    source_interest_id: str | None

    def to_new_event(self) -> NewEvent:
        return NewEvent("ApplicationSubmitted", _camel(asdict(self)))


def _camel(data: dict[str, Any]) -> dict[str, Any]:
    """Topic payloads use camelCase keys, like the public API."""

    def convert(key: str) -> str:
        head, *rest = key.split("_")
        return head + "".join(part.title() for part in rest)

    return {convert(k): v for k, v in data.items()}
