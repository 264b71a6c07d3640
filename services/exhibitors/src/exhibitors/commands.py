"""Commands: what a caller asks the exhibitors service to do. Validated at the edge
(api.py) for form; the aggregates check the rules."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from pavilion_contracts.exhibitors import SupplyChainArea

from exhibitors.domain.values import Address, Contact


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
    previous_editions: int = 0
    booth_size_sqm: int | None = None
    address: Address | None = None  # None: only the country is known


@dataclass(frozen=True)
class StartConversion:
    """outreach converted an interest (its stream at `interest_version`) and asks for
    `application`, which names the interest."""

    interest_version: int
    application: SubmitApplication


@dataclass(frozen=True)
class RefuseConversion:
    interest_id: str
    interest_version: int
    code: str
    reason: str


@dataclass(frozen=True)
class StartReview:
    application_id: str


@dataclass(frozen=True)
class ApproveApplication:
    application_id: str


@dataclass(frozen=True)
class RejectApplication:
    application_id: str
    reason: str


@dataclass(frozen=True)
class WaitlistApplication:
    application_id: str


@dataclass(frozen=True)
class IssueContract:
    application_id: str
    amount: int
    currency: str
    due_date: date


@dataclass(frozen=True)
class SignContract:
    application_id: str


@dataclass(frozen=True)
class RecordPayment:
    application_id: str
    amount: int
    currency: str
    reference: str


@dataclass(frozen=True)
class AssignBooth:
    application_id: str
    hall: str
    booth_code: str


@dataclass(frozen=True)
class ConfirmParticipation:
    application_id: str


@dataclass(frozen=True)
class WithdrawApplication:
    application_id: str
    reason: str


@dataclass(frozen=True)
class CancelForNonPayment:
    application_id: str
    reason: str


@dataclass(frozen=True)
class UpdateProfile:
    application_id: str
    company_name: str | None = None
    country: str | None = None
    website: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class AddContact:
    application_id: str
    contact: Contact


@dataclass(frozen=True)
class RemoveContact:
    application_id: str
    email: str


@dataclass(frozen=True)
class ForgetContact:
    application_id: str
    email: str


@dataclass(frozen=True)
class SetSupplyChainAreas:
    application_id: str
    supply_chain_areas: tuple[SupplyChainArea, ...]


@dataclass(frozen=True)
class SetProductCategories:
    application_id: str
    product_categories: tuple[str, ...]


@dataclass(frozen=True)
class DefineBooth:
    edition: str
    hall: str
    booth_code: str
    size_sqm: int
    supply_chain_area: SupplyChainArea
