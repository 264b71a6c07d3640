"""Commands: what a caller asks the exhibitors service to do."""

from dataclasses import dataclass
from uuid import UUID

from exhibitors.domain import Contact, SupplyChainArea


@dataclass(frozen=True)
class SubmitApplication:
    edition: str
    company_name: str
    country: str
    supply_chain_areas: tuple[SupplyChainArea, ...]
    product_categories: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    organization_id: UUID | None = None
    source_interest_id: UUID | None = None
