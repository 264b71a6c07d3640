"""Request and response bodies of the command API: typed, validated, camelCase."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_core.bodies import Body, Country, Language, Text, Versioned
from pydantic import EmailStr, Field

from exhibitors.domain.values import Address, Contact

Reason = Annotated[str, Field(min_length=1, max_length=1000)]
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[int, Field(gt=0, le=10**13, description="minor units of the currency")]
Areas = Annotated[list[SupplyChainArea], Field(min_length=1, max_length=7)]
Categories = Annotated[list[Text], Field(max_length=50)]


class ContactIn(Body):
    name: Text
    email: EmailStr
    phone: Annotated[str, Field(max_length=40)] | None = None

    def contact(self) -> Contact:
        return Contact(self.name, self.email.lower(), self.phone)


class ApplicantContactIn(ContactIn):
    """A contact person named in the application, with their preferred language."""

    language: Language | None = None

    def contact(self) -> Contact:
        return Contact(self.name, self.email.lower(), self.phone, self.language)


class AddressIn(Body):
    street_lines: Annotated[list[Text], Field(max_length=4)] = Field(default_factory=list)
    city: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    region: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    country: Country

    def address(self) -> Address:
        lines = tuple(self.street_lines)
        return Address(self.country, lines, self.city, self.postal_code, self.region)


class SubmitApplicationIn(Versioned):
    edition: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
    company_name: Text
    country: Country
    address: AddressIn | None = Field(
        default=None, description="the company's postal address (default: only the country)"
    )
    supply_chain_areas: Areas
    product_categories: Categories = Field(default_factory=list)
    contacts: Annotated[list[ApplicantContactIn], Field(max_length=20)] = Field(
        default_factory=list
    )
    organization_id: UUID | None = None
    source_interest_id: UUID | None = None
    previous_editions: Annotated[int, Field(ge=0, le=100)] = 0
    booth_size_sqm: Annotated[int, Field(gt=0, le=10000)] | None = None


class ReasonIn(Versioned):
    reason: Reason


class IssueContractIn(Versioned):
    amount: Amount
    currency: Currency
    due_date: date


class RecordPaymentIn(Versioned):
    amount: Amount
    currency: Currency
    reference: Text


class AssignBoothIn(Versioned):
    hall: Code
    booth_code: Code


class UpdateProfileIn(Versioned):
    company_name: Text | None = None
    country: Country | None = None
    website: Annotated[str, Field(max_length=300, pattern=r"^https?://\S+$")] | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


class AddContactIn(Versioned, ContactIn):
    pass


class RemoveContactIn(Versioned):
    email: EmailStr


class SupplyChainAreasIn(Versioned):
    supply_chain_areas: Areas


class ProductCategoriesIn(Versioned):
    product_categories: Categories


class DefineBoothIn(Versioned):
    booth_code: Code
    size_sqm: Annotated[int, Field(gt=0, le=10000)]
    supply_chain_area: SupplyChainArea


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
