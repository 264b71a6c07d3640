"""The editions: configuration of the exhibitors service (read from a file as it starts),
asked for at most once a minute by each API process rather than once per request. A
change seen bumps the news' generation, so no cached answer keeps showing the old ones."""

import time
from datetime import date, datetime

import strawberry

from gateway.commands import CommandClient
from gateway.enums import SupplyChainArea
from gateway.news import News

EDITIONS_SECONDS = 60.0


@strawberry.type
class Edition:
    code: str
    name: str
    city: str
    country: str
    starts_on: date
    ends_on: date
    currency: str
    supply_chain_areas: list[SupplyChainArea]
    # what an application's allowed actions depend on (pavilion_contracts.exhibitors.rules)
    opens_at: strawberry.Private[datetime]
    deposit_threshold_pct: strawberry.Private[int]


class Editions:
    def __init__(self, commands: CommandClient, news: News) -> None:
        self.commands, self.news = commands, news
        self.listed: list[Edition] | None = None
        self.fetched = 0.0  # time.monotonic() of the last answer

    async def all(self) -> list[Edition]:
        if self.listed is None or time.monotonic() - self.fetched > EDITIONS_SECONDS:
            listed = [_edition(e) for e in await self.commands.get("exhibitors", "/editions")]
            if self.listed is not None and listed != self.listed:
                self.news.bump()
            self.listed, self.fetched = listed, time.monotonic()
        return self.listed

    async def get(self, code: str) -> Edition | None:
        return next((e for e in await self.all() if e.code == code), None)


def _edition(e: dict[str, str]) -> Edition:
    return Edition(
        code=e["code"],
        name=e["name"],
        city=e["city"],
        country=e["country"],
        starts_on=date.fromisoformat(e["startsOn"]),
        ends_on=date.fromisoformat(e["endsOn"]),
        currency=e["currency"],
        supply_chain_areas=[SupplyChainArea(a) for a in e["supplyChainAreas"]],
        opens_at=datetime.fromisoformat(e["opensAt"]),
        deposit_threshold_pct=int(e["depositThresholdPct"]),
    )
