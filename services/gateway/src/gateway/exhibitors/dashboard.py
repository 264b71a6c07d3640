"""The editions (records of the exhibitors service) and an edition's dashboard."""

from collections.abc import Iterable

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from gateway.asof import AS_OF, answering
from gateway.context import Context
from gateway.editions import Edition, all_editions
from gateway.editions import edition as edition_by_code
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


@strawberry.type(
    description="The edition's re-booking offers (to an earlier edition's exhibitors)."
)
class Rebooking:
    offered: int = strawberry.field(description="Offers made, whatever became of them.")
    accepted: int
    declined: int
    expired: int
    pending: int = strawberry.field(description="Offers still open (OFFERED).")
    rate: float = strawberry.field(description="accepted / offered; 0 when none was made.")

    @classmethod
    def of(cls, counts: tuple[int, int, int, int] | None) -> "Rebooking":
        accepted, declined, expired, pending = counts or (0, 0, 0, 0)
        offered = accepted + declined + expired + pending
        rate = round(accepted / offered, 4) if offered else 0.0
        return cls(
            offered=offered,
            accepted=accepted,
            declined=declined,
            expired=expired,
            pending=pending,
            rate=rate,
        )


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
    rebooking: Rebooking


INACTIVE = frozenset({"WITHDRAWN", "REJECTED", "CANCELLED"})
ACTIVE = f"status NOT IN ({', '.join(repr(s) for s in sorted(INACTIVE))})"
# One statement (one round trip) of the parts the query asks for (the others are NULL).
# The exhibitors are scanned once, grouped by status and country: the counts by status,
# by country and the foreign share are sums of those few groups.
PARTS = {
    "groups": """(SELECT array_agg(ROW(status, country, n)) FROM (
        SELECT status, country, count(*) AS n FROM exhibitors WHERE edition = $1
        GROUP BY 1, 2) AS g)""",
    "by_area": f"""(SELECT array_agg(ROW(key, n) ORDER BY n DESC, key) FROM (
        SELECT area AS key, count(*) AS n FROM exhibitors, unnest(supply_chain_areas) AS area
        WHERE edition = $1 AND {ACTIVE} GROUP BY 1) AS a)""",
    "by_stage": """(SELECT array_agg(ROW(key, n) ORDER BY key) FROM (
        SELECT stage AS key, count(*) AS n FROM interests WHERE edition = $1 GROUP BY 1) AS s)""",
    "by_event": """(SELECT array_agg(ROW(id, name, interests, converted)
                            ORDER BY converted DESC, name) FROM (
        SELECT e.id, e.name, count(*) AS interests,
               count(*) FILTER (WHERE i.stage = 'CONVERTED') AS converted
        FROM interests i JOIN outreach_events e ON e.id = i.source_event_id
        WHERE i.edition = $1 GROUP BY e.id, e.name) AS c)""",
    "booths": """(SELECT ROW(count(*) FILTER (WHERE allocated_to IS NULL),
                           count(*) FILTER (WHERE allocated_to IS NOT NULL))
        FROM booths WHERE edition = $1)""",
    "rebooking": """(SELECT ROW(count(*) FILTER (WHERE status = 'ACCEPTED'),
                           count(*) FILTER (WHERE status = 'DECLINED'),
                           count(*) FILTER (WHERE status = 'EXPIRED'),
                           count(*) FILTER (WHERE status = 'OFFERED'))
        FROM rebooking_offers WHERE edition = $1)""",
}
# Which part each field of EditionDashboard is made of.
NEEDS = {
    "totalExhibitors": "groups",
    "exhibitorsByStatus": "groups",
    "exhibitorsByCountry": "groups",
    "foreignShare": "groups",
    "exhibitorsBySupplyChainArea": "by_area",
    "interestsByStage": "by_stage",
    "conversionByOutreachEvent": "by_event",
    "boothsFree": "booths",
    "boothsTaken": "booths",
    "rebooking": "rebooking",
}


def asked(selections: list[Selection]) -> set[str]:
    """The names of the fields a selection asks for, through its fragments (a field
    skipped by a directive counts: computing it too is harmless)."""
    names: set[str] = set()
    for s in selections:
        if isinstance(s, SelectedField):
            names.add(s.name)
        else:
            names |= asked(s.selections)
    return names


def statement(parts: set[str]) -> str:
    return "SELECT " + ", ".join(f"{PARTS[p] if p in parts else 'NULL'} AS {p}" for p in PARTS)


def _counts(pairs: Iterable[tuple[str, int]]) -> list[Count]:
    """Counts in their order: the largest first, then by key."""
    return [Count(key=k, count=n) for k, n in sorted(pairs, key=lambda p: (-p[1], p[0]))]


def _summed(pairs: Iterable[tuple[str, int]]) -> list[Count]:
    sums: dict[str, int] = {}
    for key, n in pairs:
        sums[key] = sums.get(key, 0) + n
    return _counts(sums.items())


async def host_country(ctx: Context, edition: str, fields: set[str]) -> str | None:
    """The edition's country, if the foreign share is asked for (read in the present,
    before any transaction of an answer as of a moment)."""
    if "foreignShare" not in fields:
        return None
    known = await edition_by_code(ctx, edition)
    return known.country if known else None


async def dashboard(
    ctx: Context, edition: str, fields: set[str], host: str | None
) -> EditionDashboard:
    parts = {NEEDS[f] for f in fields if f in NEEDS}
    # nothing to read when only the edition is asked for (and $1 would have no type)
    row = await ctx.pool.fetchrow(statement(parts), edition) if parts else dict.fromkeys(PARTS)
    assert row is not None  # a SELECT of scalar subqueries has its one row
    groups = row["groups"] or ()
    by_status = _summed((status, n) for status, _, n in groups)
    by_country = _summed((country, n) for status, country, n in groups if status not in INACTIVE)
    active = sum(c.count for c in by_country)
    foreign = sum(c.count for c in by_country if c.key != host)
    free, taken = row["booths"] or (0, 0)
    return EditionDashboard(
        edition=edition,
        total_exhibitors=sum(c.count for c in by_status),
        exhibitors_by_status=by_status,
        exhibitors_by_country=by_country,
        exhibitors_by_supply_chain_area=[Count(key=k, count=n) for k, n in row["by_area"] or ()],
        foreign_share=round(foreign / active, 4) if active else 0.0,
        booths_free=free,
        booths_taken=taken,
        interests_by_stage=[Count(key=k, count=n) for k, n in row["by_stage"] or ()],
        conversion_by_outreach_event=[
            EventConversion(
                event=EventRef(id=global_id("OutreachEvent", str(id_)), name=name),
                interests=interests,
                converted=converted,
            )
            for id_, name, interests, converted in row["by_event"] or ()
        ],
        rebooking=Rebooking.of(row["rebooking"]),
    )


@strawberry.type
class DashboardQueries:
    @strawberry.field(description="Every edition of the expo, the earliest first.")
    async def editions(self, info: Info) -> list[Edition]:
        return await all_editions(info.context)

    @strawberry.field(description="The edition of this code, if there is one.")
    async def edition(self, info: Info, code: str) -> Edition | None:
        return await edition_by_code(info.context, code)

    @strawberry.field(permission_classes=[NotExhibitor])
    async def edition_dashboard(
        self, info: Info, edition: str, as_of: AS_OF = None
    ) -> EditionDashboard:
        fields = asked(info.selected_fields[0].selections)
        host = await host_country(info.context, edition, fields)
        return await dashboard(await answering(info, as_of), edition, fields, host)
