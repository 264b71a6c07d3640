"""Value objects of the exhibitors domain."""

from dataclasses import dataclass
from datetime import date, datetime

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors.commands import AddressIn, ApplicantContactIn, ContactIn


@dataclass(frozen=True)
class Edition:
    """One occurrence of the expo, as configured."""

    code: str
    name: str
    city: str
    country: str
    starts_on: date
    ends_on: date
    timezone: str
    supply_chain_areas: tuple[SupplyChainArea, ...]
    currency: str
    deposit_threshold_pct: int
    opens_at: datetime

    def has_opened(self, now: datetime) -> bool:
        return now >= self.opens_at


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    phone: str | None = None
    language: str | None = None  # BCP 47; None: not known (contacts added later, v1)

    @classmethod
    def of(cls, given: ContactIn) -> "Contact":
        """A contact as a command gives it; its address is kept lower-case."""
        language = given.language if isinstance(given, ApplicantContactIn) else None
        return cls(given.name, given.email.lower(), given.phone, language)


@dataclass(frozen=True)
class Address:
    """The exhibiting company's postal address; only the country may be known."""

    country: str
    street_lines: tuple[str, ...] = ()
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None

    @classmethod
    def of(cls, given: AddressIn) -> "Address":
        lines = tuple(given.street_lines)
        return cls(given.country, lines, given.city, given.postal_code, given.region)

    def as_data(self) -> dict[str, object]:
        return {
            "streetLines": list(self.street_lines),
            "city": self.city,
            "postalCode": self.postal_code,
            "region": self.region,
            "country": self.country,
        }


@dataclass(frozen=True)
class Contract:
    amount: int  # minor units
    currency: str
    due_date: date


@dataclass(frozen=True)
class BoothRef:
    hall: str
    code: str
