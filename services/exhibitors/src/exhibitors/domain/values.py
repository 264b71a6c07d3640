"""Value objects of the exhibitors domain."""

from dataclasses import dataclass
from datetime import date, datetime

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors.commands import AddressIn, ApplicantContactIn, ContactIn
from pavilion_contracts.exhibitors.rules import accepting_applications
from pavilion_core.errors import InvalidTransition


@dataclass(frozen=True)
class Edition:
    """One occurrence of the expo, as its record (exhibitors.domain.edition) stands. Its
    applications are taken from `applications_open_at` (None: from the beginning) until
    `applications_close_at` (None: until it opens), never once it has opened."""

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
    applications_open_at: datetime | None = None
    applications_close_at: datetime | None = None

    def has_opened(self, now: datetime) -> bool:
        return now >= self.opens_at

    @property
    def closes_at(self) -> datetime:
        """When applications stop being taken."""
        return min(self.applications_close_at or self.opens_at, self.opens_at)

    def accepts_applications(self, now: datetime) -> bool:
        return accepting_applications(now, self.opens_at, self.applications_open_at, self.closes_at)

    def check_not_opened(self, now: datetime) -> None:
        if self.has_opened(now):
            raise InvalidTransition(f"{self.code} has opened: only withdrawal is possible")

    def check_accepts_applications(self, now: datetime) -> None:
        """INVALID_TRANSITION saying why, unless an application may be submitted now."""
        self.check_not_opened(now)
        if self.applications_open_at is not None and now < self.applications_open_at:
            raise InvalidTransition(
                f"{self.code} does not accept applications before "
                f"{self.applications_open_at.isoformat()}"
            )
        if now >= self.closes_at:
            raise InvalidTransition(
                f"{self.code} accepts no more applications: they closed on "
                f"{self.closes_at.isoformat()}"
            )


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
