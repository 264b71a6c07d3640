"""The editions: configuration of the exhibitors service (read from a file as it starts),
asked for at most once a minute by each API process rather than once per request. A
change seen bumps the news' generation, so no cached answer keeps showing the old ones."""

import time
from datetime import date, datetime

import strawberry

from gateway.commands import CommandClient, Unavailable
from gateway.enums import SupplyChainArea
from gateway.news import News

EDITIONS_SECONDS = 60.0
RETRY_SECONDS = 5.0  # after the exhibitors service was found away


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
            try:
                answer = await self.commands.get("exhibitors", "/editions")
            except Unavailable:
                if self.listed is None:
                    raise
                # configuration, seldom changed: the last answer serves while the service
                # is away, asked again in a few seconds, not on every use
                self.fetched = time.monotonic() - EDITIONS_SECONDS + RETRY_SECONDS
                return self.listed
            listed = [_edition(e) for e in answer]
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
