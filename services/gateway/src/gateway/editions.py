"""The editions: records of the exhibitors service (created, their applications opened
and closed by commands), as the read model holds them (the editions table, projected
from their events). Listed, looked up by code (one statement per request, however many
applications ask for theirs), and read by an application's allowed actions and a
dashboard's foreign share."""

from datetime import date, datetime

import asyncpg
import strawberry
from pavilion_contracts.exhibitors.rules import accepting_applications

from gateway.context import Context
from gateway.enums import SupplyChainArea
from gateway.responses import not_from_read_model

SELECT = """SELECT code, name, city, country, starts_on, ends_on, timezone, currency,
                   supply_chain_areas, deposit_threshold_pct, opens_at,
                   applications_open_at, applications_close_at
            FROM editions"""


@strawberry.type(description="An edition of the expo: a record, created by createEdition.")
class Edition:
    code: str
    name: str
    city: str
    country: str
    starts_on: date
    ends_on: date
    timezone: str = strawberry.field(description="The IANA time zone of its venue.")
    currency: str
    supply_chain_areas: list[SupplyChainArea]
    deposit_threshold_pct: int = strawberry.field(
        description="The share of a contract, in percent, paid before a booth is assigned."
    )
    opens_at: datetime = strawberry.field(
        description="When the expo opens: from then on an application may only be withdrawn."
    )
    applications_open_at: datetime | None = strawberry.field(
        description="From when applications are taken (null: from the beginning)."
    )
    applications_close_at: datetime = strawberry.field(
        description="Until when applications are taken (excluded)."
    )

    @strawberry.field(description="Whether an application may be submitted now.")
    def accepting_applications(self, info: strawberry.Info[Context, None]) -> bool:
        not_from_read_model("the clock")  # the window opens and closes with no news
        now = info.context.services.clock.now()
        return accepting_applications(
            now, self.opens_at, self.applications_open_at, self.applications_close_at
        )


def _edition(row: asyncpg.Record) -> Edition:
    fields = dict(row)
    fields["supply_chain_areas"] = [SupplyChainArea(a) for a in fields["supply_chain_areas"]]
    return Edition(**fields)


async def all_editions(ctx: Context) -> list[Edition]:
    """Every edition, the earliest first."""
    return [_edition(row) for row in await ctx.pool.fetch(f"{SELECT} ORDER BY starts_on, code")]


async def edition(ctx: Context, code: str) -> Edition | None:
    row = await ctx.loaders.one(f"{SELECT} WHERE {{where}}", "code").load(code)
    return _edition(row) if row else None
