"""The editions the service knows, from configuration: the packaged editions.json
(the 4th expo, CISCE-2026, is the default) or the file PAVILION_EDITIONS_FILE names."""

import json
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_core.config import ConfigError
from pavilion_core.errors import InvalidValue, NotFound

from exhibitors.domain.values import Edition


class Editions(Mapping[str, Edition]):
    def __init__(self, editions: list[Edition]) -> None:
        self._by_code = {edition.code: edition for edition in editions}

    def __getitem__(self, code: str) -> Edition:
        return self._by_code[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_code)

    def __len__(self) -> int:
        return len(self._by_code)

    def for_command(self, code: str) -> Edition:
        """The edition a command names; an unknown one is the caller's mistake."""
        if code not in self._by_code:
            raise InvalidValue("edition", f"unknown edition {code!r}; known: {', '.join(self)}")
        return self._by_code[code]

    def lookup(self, code: str) -> Edition:
        if code not in self._by_code:
            raise NotFound(f"no edition {code!r}")
        return self._by_code[code]


def load_editions(path: str | None = None) -> Editions:
    text = (
        Path(path).read_text()
        if path
        else files("exhibitors").joinpath("editions.json").read_text()
    )
    try:
        return Editions([_edition(raw) for raw in json.loads(text)])
    except (KeyError, ValueError, TypeError) as exc:
        raise ConfigError(f"invalid editions file {path or 'editions.json'}: {exc!r}") from None


def _edition(raw: dict[str, Any]) -> Edition:
    opens_at = datetime.fromisoformat(raw["opensAt"])
    if opens_at.tzinfo is None:
        raise ValueError(f"{raw['code']}: opensAt needs a timezone")
    return Edition(
        code=raw["code"],
        name=raw["name"],
        city=raw["city"],
        country=raw["country"],
        starts_on=date.fromisoformat(raw["startsOn"]),
        ends_on=date.fromisoformat(raw["endsOn"]),
        timezone=raw["timezone"],
        supply_chain_areas=tuple(SupplyChainArea(a) for a in raw["supplyChainAreas"]),
        currency=raw["currency"],
        deposit_threshold_pct=int(raw["depositThresholdPct"]),
        opens_at=opens_at,
    )
