"""Year over year: editions side by side, each as it stood the same number of days
before its opening ("where were we this time last year?").

Each edition's figures are its dashboard's as of its own moment (gateway.asof: replayed
from the events up to then, one edition after the other, each replay's connection handed
back before the next), so they are what was true then, not today's rows filtered by date.
"""

from contextlib import AsyncExitStack
from datetime import datetime, timedelta

import strawberry

from gateway.asof import opened_past
from gateway.context import Context
from gateway.cost import MOMENTS
from gateway.editions import Edition
from gateway.editions import edition as edition_by_code
from gateway.exhibitors.dashboard import dashboard
from gateway.policy import NotExhibitor, NotFound
from gateway.relay import BadInput
from gateway.responses import not_from_read_model

Info = strawberry.Info[Context, None]
FIGURES = {"totalExhibitors", "exhibitorsByStatus", "boothsTaken", "foreignShare"}
MAX_DAYS = 3_660  # ten years either side of an opening


@strawberry.type(description="An edition's figures as of a number of days before its opening.")
class EditionAtMoment:
    edition: str
    moment: datetime = strawberry.field(description="Its opening minus the days asked for.")
    reached: bool = strawberry.field(
        description="False while the moment is still ahead: the figures are then null."
    )
    applications: int | None = strawberry.field(
        description="Applications submitted by then, whatever their state then."
    )
    confirmations: int | None = strawberry.field(description="Of those, CONFIRMED then.")
    booths_taken: int | None
    foreign_share: float | None = strawberry.field(
        description="Share of the active applications then from abroad."
    )


async def at_moment(ctx: Context, edition: Edition, days: int) -> EditionAtMoment:
    moment = edition.opens_at - timedelta(days=days)
    if moment > ctx.services.clock.now():
        not_from_read_model("the clock")  # the moment comes with no news
        return EditionAtMoment(
            edition=edition.code,
            moment=moment,
            reached=False,
            applications=None,
            confirmations=None,
            booths_taken=None,
            foreign_share=None,
        )
    async with AsyncExitStack() as held:
        past = await opened_past(ctx, moment, held)
        board = await dashboard(past, edition.code, FIGURES, edition.country)
    return EditionAtMoment(
        edition=edition.code,
        moment=moment,
        reached=True,
        applications=board.total_exhibitors,
        confirmations=sum(c.count for c in board.exhibitors_by_status if c.key == "CONFIRMED"),
        booths_taken=board.booths_taken,
        foreign_share=board.foreign_share,
    )


@strawberry.type
class YearOverYearQueries:
    @strawberry.field(
        permission_classes=[NotExhibitor],
        description=f"Editions (at most {MOMENTS}) side by side, each as of `daysBeforeOpening` "
        "days before its own opening, computed from the events up to that moment. Costly: "
        "each edition is a replay of the history up to its moment.",
    )
    async def year_over_year(
        self, info: Info, editions: list[str], days_before_opening: int
    ) -> list[EditionAtMoment]:
        if not 1 <= len(editions) <= MOMENTS:
            raise BadInput(f"compare 1 to {MOMENTS} editions", "editions")
        if abs(days_before_opening) > MAX_DAYS:
            raise BadInput(
                f"days before opening: at most {MAX_DAYS} either way", "daysBeforeOpening"
            )
        known = []
        for code in editions:  # all known before any replay
            edition = await edition_by_code(info.context, code)
            if edition is None:
                raise NotFound(f"there is no edition {code}", "editions")
            known.append(edition)
        return [await at_moment(info.context, e, days_before_opening) for e in known]
