"""Response bodies of the query API: typed, camelCase. (What commands take is declared
in the contract, pavilion_contracts.exhibitors.commands.)"""

from datetime import date

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_core.bodies import Body


class EditionOut(Body):
    code: str
    name: str
    city: str
    country: str
    starts_on: date
    ends_on: date
    timezone: str
    supply_chain_areas: list[SupplyChainArea]
    currency: str
    deposit_threshold_pct: int
    opens_at: str
    applications_open_at: str | None  # None: from the beginning
    applications_close_at: str


class BoothOut(Body):
    code: str
    size_sqm: int
    supply_chain_area: str
    allocated_to: str | None
    offered_to: str | None


class FloorPlanOut(Body):
    edition: str
    hall: str
    version: int
    booths: list[BoothOut]


class ApplicationOut(Body):
    id: str
    version: int
    status: str
    edition: str
    company_name: str
    country: str
    supply_chain_areas: list[str]
    product_categories: list[str]
    contacts: list[dict[str, str | None]]
    contract_amount: int | None
    currency: str | None
    paid_amount: int
    booth: dict[str, str] | None
    offered_booth: dict[str, str] | None
