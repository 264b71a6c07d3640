"""Value objects and vocabularies of the outreach domain."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import phonenumbers
from pavilion_contracts.outreach import ImpliedBy, LegalBasis
from pavilion_core.errors import InvalidValue


def implied_expiry(implied_by: ImpliedBy, since: date) -> date:
    """CASL: two years after a business relationship, six months after an inquiry."""
    if implied_by is ImpliedBy.BUSINESS_RELATIONSHIP:
        return _add_months(since, 24)
    return _add_months(since, 6)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):  # the same day, or the month's last when it has none
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Consent:
    basis: LegalBasis
    granted_at: datetime
    expires_at: datetime | None
    evidence: str

    def valid_at(self, moment: datetime) -> bool:
        return self.expires_at is None or moment < self.expires_at

    def as_data(self) -> dict[str, str | None]:
        expires = self.expires_at.isoformat() if self.expires_at else None
        return {"grantedAt": self.granted_at.isoformat(), "expiresAt": expires}


def end_of(day: date) -> datetime:
    """The first instant after `day` (UTC), when a consent valid through it lapses."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def e164(phone: str, country: str | None) -> str:
    """The number in E.164, read in `country` when it has no prefix."""
    try:
        number = phonenumbers.parse(phone, country)
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue("phone", f"{phone!r} is not a phone number: {exc}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("phone", f"{phone!r} is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
