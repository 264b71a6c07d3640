"""The editions (configuration of the exhibitors service) and an edition's dashboard."""

from datetime import date

import strawberry

from gateway.context import Context
from gateway.enums import SupplyChainArea
from gateway.policy import NotExhibitor
from gateway.relay import global_id

Info = strawberry.Info[Context, None]


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


@strawberry.type
class Count:
    key: str
    count: int


@strawberry.type
class EventRef:
    id: strawberry.ID
    name: str


@strawberry.type
class EventConversion:
    event: EventRef
    interests: int
    converted: int


@strawberry.type
class EditionDashboard:
    edition: str
    total_exhibitors: int
    exhibitors_by_status: list[Count]
    exhibitors_by_country: list[Count]
    exhibitors_by_supply_chain_area: list[Count]
    foreign_share: float = strawberry.field(
        description="Share of exhibitors (not withdrawn, rejected or cancelled) from abroad."
    )
    booths_free: int
    booths_taken: int
    interests_by_stage: list[Count]
    conversion_by_outreach_event: list[EventConversion]


ACTIVE = "status NOT IN ('WITHDRAWN', 'REJECTED', 'CANCELLED')"


async def editions(ctx: Context) -> list[Edition]:
    listed = await ctx.services.commands.get("exhibitors", "/editions")
    return [
        Edition(
            code=e["code"],
            name=e["name"],
            city=e["city"],
            country=e["country"],
            starts_on=date.fromisoformat(e["startsOn"]),
            ends_on=date.fromisoformat(e["endsOn"]),
            currency=e["currency"],
            supply_chain_areas=[SupplyChainArea(a) for a in e["supplyChainAreas"]],
        )
        for e in listed
    ]


async def dashboard(ctx: Context, edition: str) -> EditionDashboard:
    host = next((e.country for e in await editions(ctx) if e.code == edition), None)
    async with ctx.pool.acquire() as conn:

        async def counts(sql: str) -> list[Count]:
            rows = await conn.fetch(sql, edition)
            return [Count(key=r["key"], count=r["count"]) for r in rows]

        by_status = await counts(
            """SELECT status AS key, count(*) AS count FROM exhibitors WHERE edition = $1
               GROUP BY 1 ORDER BY 2 DESC, 1"""
        )
        by_country = await counts(
            f"""SELECT country AS key, count(*) AS count FROM exhibitors
                WHERE edition = $1 AND {ACTIVE} GROUP BY 1 ORDER BY 2 DESC, 1"""
        )
        by_area = await counts(
            f"""SELECT unnest(supply_chain_areas) AS key, count(*) AS count FROM exhibitors
                WHERE edition = $1 AND {ACTIVE} GROUP BY 1 ORDER BY 2 DESC, 1"""
        )
        booths = await conn.fetchrow(
            """SELECT count(*) FILTER (WHERE allocated_to IS NULL) AS free,
                      count(*) FILTER (WHERE allocated_to IS NOT NULL) AS taken
               FROM booths WHERE edition = $1""",
            edition,
        )
        by_stage = await counts(
            """SELECT stage AS key, count(*) AS count FROM interests WHERE edition = $1
               GROUP BY 1 ORDER BY 1"""
        )
        conversions = await conn.fetch(
            """SELECT e.id, e.name, count(*) AS interests,
                      count(*) FILTER (WHERE i.stage = 'CONVERTED') AS converted
               FROM interests i JOIN outreach_events e ON e.id = i.source_event_id
               WHERE i.edition = $1 GROUP BY e.id, e.name ORDER BY 4 DESC, 2""",
            edition,
        )
    active = sum(c.count for c in by_country)
    foreign = sum(c.count for c in by_country if c.key != host)
    return EditionDashboard(
        edition=edition,
        total_exhibitors=sum(c.count for c in by_status),
        exhibitors_by_status=by_status,
        exhibitors_by_country=by_country,
        exhibitors_by_supply_chain_area=by_area,
        foreign_share=round(foreign / active, 4) if active else 0.0,
        booths_free=booths["free"] if booths else 0,
        booths_taken=booths["taken"] if booths else 0,
        interests_by_stage=by_stage,
        conversion_by_outreach_event=[
            EventConversion(
                event=EventRef(id=global_id("OutreachEvent", r["id"]), name=r["name"]),
                interests=r["interests"],
                converted=r["converted"],
            )
            for r in conversions
        ],
    )


@strawberry.type
class DashboardQueries:
    @strawberry.field(description="The editions the exhibitors service is configured with.")
    async def editions(self, info: Info) -> list[Edition]:
        return await editions(info.context)

    @strawberry.field(permission_classes=[NotExhibitor])
    async def edition_dashboard(self, info: Info, edition: str) -> EditionDashboard:
        return await dashboard(info.context, edition)
