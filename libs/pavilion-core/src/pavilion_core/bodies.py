"""The bodies of the command APIs: request and response models (camelCase, unknown
fields refused, text and dates checked), the typed error answer, and the field types
the services share (a country, a language, a time zone, a moment, a short text)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from pavilion_core.text import strings, text_problem


class FieldError(BaseModel):
    field: list[str]
    message: str


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: list[FieldError] | None = None


class ErrorOut(BaseModel):
    """The body of every error answer."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "UNAUTHENTICATED: no valid service token"},
    403: {"model": ErrorOut, "description": "FORBIDDEN: the token lacks a privilege it needs"},
    404: {"model": ErrorOut, "description": "NOT_FOUND: no such record"},
    409: {"model": ErrorOut, "description": "INVALID_TRANSITION, CONFLICT or DUPLICATE"},
    410: {"model": ErrorOut, "description": "FORGOTTEN: the person was forgotten"},
    422: {"model": ErrorOut, "description": "VALIDATION: the input is not acceptable"},
    500: {"model": ErrorOut, "description": "INTERNAL: a fault of ours, with a correlation id"},
}


def _country(code: str) -> str:
    if pycountry.countries.get(alpha_2=code.upper()) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code.upper()


Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
Text = Annotated[str, Field(min_length=1, max_length=200)]
Language = Annotated[
    str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$", description="BCP 47, e.g. en, zh")
]


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. America/Toronto)") from None
    return name


TimeZone = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_time_zone)]


def _aware(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("a time with its offset from UTC, e.g. 2025-11-30T14:00:00-05:00")
    return moment


Moment = Annotated[datetime, AfterValidator(_aware)]


@dataclass(frozen=True)
class MinorUnits:
    """Marks an amount held in minor units of its currency (cents); the GraphQL API
    takes it in the currency's units (80000.00)."""


class Body(BaseModel):
    """Request and response bodies: camelCase, unknown fields refused, text trimmed and
    acceptable (pavilion_core.text: no control characters, Unicode)."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )

    @field_validator("*", mode="after")
    @classmethod
    def _acceptable(cls, value: Any) -> Any:
        for _, text in strings(value):
            if problem := text_problem(text):
                raise ValueError(f"text {problem}")
        if isinstance(value, date) and not MIN_YEAR <= _utc_year(value) <= MAX_YEAR:
            raise ValueError(f"a date between the years {MIN_YEAR} and {MAX_YEAR}")
        return value


MIN_YEAR, MAX_YEAR = 1900, 2999  # what a CRM's dates can be; PostgreSQL's and Python's
# ranges differ at the edges (year 1 in a zone east of UTC does not exist in UTC)


def _utc_year(value: date) -> int:
    if isinstance(value, datetime) and value.tzinfo is not None:
        try:
            return value.astimezone(UTC).year
        except OverflowError:
            return 0
    return value.year


class Versioned(Body):
    """Every command may pin the version of the stream it changes."""

    expected_version: Annotated[int, Field(ge=0)] | None = Field(
        default=None, description="Refused with CONFLICT if the record has moved on."
    )


class StreamVersion(Body):
    id: str
    version: int


class Accepted(Body):
    """The stream the command changed, its new version and the events appended; and
    every stream it appended to (`id` among them) with its new version, which is what
    a read-your-writes wait needs to see."""

    id: str
    version: int
    event_ids: list[UUID]
    streams: list[StreamVersion]


ACCEPTED: dict[str, Any] = {
    "response_model": Accepted,
    "response_model_by_alias": True,
    "responses": ERROR_RESPONSES,
}
