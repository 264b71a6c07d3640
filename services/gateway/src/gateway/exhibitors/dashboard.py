"""The editions (configuration of the exhibitors service) and an edition's dashboard."""

import strawberry

from gateway.context import Context
from gateway.editions import Edition
from gateway.policy import NotExhibitor
from gateway.relay import global_id

Info = strawberry.Info[Context, None]


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
# One statement (one round trip): each list as an array of [key, count] in its order.
_DASHBOARD = f"""
WITH listed AS (
  SELECT status, country, supply_chain_areas, {ACTIVE} AS active
  FROM exhibitors WHERE edition = $1),
by_status AS (SELECT status AS key, count(*) AS n FROM listed GROUP BY 1),
by_country AS (SELECT country AS key, count(*) AS n FROM listed WHERE active GROUP BY 1),
by_area AS (SELECT area AS key, count(*) AS n
            FROM listed, unnest(supply_chain_areas) AS area WHERE active GROUP BY 1),
by_stage AS (SELECT stage AS key, count(*) AS n FROM interests WHERE edition = $1 GROUP BY 1),
by_event AS (
  SELECT e.id, e.name, count(*) AS interests,
         count(*) FILTER (WHERE i.stage = 'CONVERTED') AS converted
  FROM interests i JOIN outreach_events e ON e.id = i.source_event_id
  WHERE i.edition = $1 GROUP BY e.id, e.name)
SELECT
  (SELECT array_agg(ROW(key, n) ORDER BY n DESC, key) FROM by_status) AS by_status,
  (SELECT array_agg(ROW(key, n) ORDER BY n DESC, key) FROM by_country) AS by_country,
  (SELECT array_agg(ROW(key, n) ORDER BY n DESC, key) FROM by_area) AS by_area,
  (SELECT array_agg(ROW(key, n) ORDER BY key) FROM by_stage) AS by_stage,
  (SELECT array_agg(ROW(id, name, interests, converted) ORDER BY converted DESC, name)
   FROM by_event) AS by_event,
  free, taken
FROM (SELECT count(*) FILTER (WHERE allocated_to IS NULL) AS free,
             count(*) FILTER (WHERE allocated_to IS NOT NULL) AS taken
      FROM booths WHERE edition = $1) AS booths
"""


def _counts(pairs: list[tuple[str, int]] | None) -> list[Count]:
    return [Count(key=key, count=n) for key, n in pairs or ()]


async def dashboard(ctx: Context, edition: str) -> EditionDashboard:
    host = next((e.country for e in await ctx.services.editions.all() if e.code == edition), None)
    row = await ctx.pool.fetchrow(_DASHBOARD, edition)
    assert row is not None  # an aggregate without GROUP BY has its one row
    by_status, by_country = _counts(row["by_status"]), _counts(row["by_country"])
    active = sum(c.count for c in by_country)
    foreign = sum(c.count for c in by_country if c.key != host)
    return EditionDashboard(
        edition=edition,
        total_exhibitors=sum(c.count for c in by_status),
        exhibitors_by_status=by_status,
        exhibitors_by_country=by_country,
        exhibitors_by_supply_chain_area=_counts(row["by_area"]),
        foreign_share=round(foreign / active, 4) if active else 0.0,
        booths_free=row["free"],
        booths_taken=row["taken"],
        interests_by_stage=_counts(row["by_stage"]),
        conversion_by_outreach_event=[
            EventConversion(
                event=EventRef(id=global_id("OutreachEvent", str(id_)), name=name),
                interests=interests,
                converted=converted,
            )
            for id_, name, interests, converted in row["by_event"] or ()
        ],
    )


@strawberry.type
class DashboardQueries:
    @strawberry.field(description="The editions the exhibitors service is configured with.")
    async def editions(self, info: Info) -> list[Edition]:
        return await info.context.services.editions.all()

    @strawberry.field(permission_classes=[NotExhibitor])
    async def edition_dashboard(self, info: Info, edition: str) -> EditionDashboard:
        return await dashboard(info.context, edition)
