"""Re-booking: the handlers of OfferRebooking, AcceptRebooking and DeclineRebooking,
and the sweep that expires offers past their deadline (exhibitors.scheduler).

Offering touches a stream per exhibitor: each offer is its own transaction (its stream,
and the floor plan of the booth it holds), so a campaign of thousands holds no lock for
long, and a run that stopped half way is finished by running it again — an offer's id
is derived from the target edition and the previous application, and an offer made
already makes nothing new. The command answers how many offers it made (`version`)
and the offers' streams.

Which applications of an edition are confirmed, and which offers are past their
deadline, the service asks its own event store (`Finder`; indexed by
sql/001_rebooking_lookups.sql): no other service's read model, and no lag between an
offer's acceptance and the sweep."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from pavilion_contracts.exhibitors import ApplicationStatus
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.aggregate import Event
from pavilion_core.db import Pool
from pavilion_core.errors import InvalidValue
from pavilion_core.eventstore import AppendResult, CommandContext

from exhibitors.domain.rebooking import RebookingOffer, check_deadline, offer_id, submission
from exhibitors.domain.values import BoothRef, Edition
from exhibitors.handlers import Handlers, offer_to_waitlist, registry
from exhibitors.session import ExhibitorsSession as Session

DECLINED, EXPIRED, ACCEPTED = "re-booking declined", "re-booking expired", "re-booking accepted"


class Finder(Protocol):
    """What the service's event store is asked across streams."""

    async def confirmed(self, edition: str) -> list[str]:
        """The applications to `edition` that were ever confirmed (their ids)."""

    async def offers_due(self, now: datetime) -> list[str]:
        """The offers still OFFERED whose deadline is not after `now` (their ids)."""


@dataclass(frozen=True)
class PgFinder:
    pool: Pool

    async def confirmed(self, edition: str) -> list[str]:
        rows = await self.pool.fetch(
            """SELECT s.stream_id FROM events s
               WHERE s.type = 'ApplicationSubmitted' AND s.data->>'edition' = $1
                 AND EXISTS (SELECT 1 FROM events c WHERE c.stream_id = s.stream_id
                             AND c.type = 'ParticipationConfirmed')
               ORDER BY s.position""",
            edition,
        )
        return [r["stream_id"] for r in rows]

    async def offers_due(self, now: datetime) -> list[str]:
        rows = await self.pool.fetch(
            """SELECT o.stream_id FROM events o
               WHERE o.type = 'RebookingOffered' AND (o.data->>'deadline')::timestamptz <= $1
                 AND NOT EXISTS (SELECT 1 FROM events x WHERE x.stream_id = o.stream_id
                                 AND x.type <> 'RebookingOffered')
               ORDER BY o.position""",
            now,
        )
        return [r["stream_id"] for r in rows]


@dataclass(frozen=True)
class Rebooking:
    handlers: Handlers
    finder: Finder

    @registry.handles(c.OfferRebooking)
    async def offer_rebooking(self, cmd: c.OfferRebooking, ctx: CommandContext) -> AppendResult:
        campaign = f"rebooking:{cmd.edition}"  # no stream: the answer's name for the offers
        editions: list[Edition] = []

        async def check(s: Session) -> None:
            edition = await s.edition(cmd.edition)
            source = await s.edition(cmd.from_edition, field="fromEdition")
            if source.opens_at >= edition.opens_at:
                raise InvalidValue("fromEdition", f"{source.code} is not before {edition.code}")
            check_deadline(cmd.deadline, edition, s.now)
            editions[:] = [edition, source]

        await self.handlers.run(campaign, check, ctx)  # refused before any offer is made
        edition, source = editions
        one = replace(ctx, idempotency_key=None, expected_version=None)  # each offer: its own
        made: dict[str, int] = {}
        for previous in await self.finder.confirmed(source.code):
            result = await self._offer(edition, previous, cmd.deadline, one)
            if result.event_ids:
                made[result.stream_id] = result.version
        return AppendResult(campaign, len(made), [], [], made)

    async def _offer(
        self, edition: Edition, previous_id: str, deadline: datetime, ctx: CommandContext
    ) -> AppendResult:
        oid = offer_id(edition.code, previous_id)

        async def step(s: Session) -> None:
            check_deadline(deadline, edition, s.now)
            offer, previous = await s.offer(oid), await s.application(previous_id)
            if offer.status is not None or previous.status != ApplicationStatus.CONFIRMED:
                return
            if (await s.application(offer.application_for(previous, edition))).status:
                return  # applied already
            held = await _hold(s, edition, previous.booth, oid)
            offer.make(previous, edition, held, deadline)

        return await self.handlers.run(oid, step, ctx)

    @registry.handles(c.AcceptRebooking)
    async def accept_rebooking(self, cmd: c.AcceptRebooking, ctx: CommandContext) -> AppendResult:
        return await self._answer(str(cmd.offer_id), lambda o, now: o.accept(now), _become, ctx)

    @registry.handles(c.DeclineRebooking)
    async def decline_rebooking(self, cmd: c.DeclineRebooking, ctx: CommandContext) -> AppendResult:
        return await self._answer(
            str(cmd.offer_id), lambda o, _: o.decline(cmd.reason), _let_go(DECLINED), ctx
        )

    async def expire(self, oid: str, ctx: CommandContext) -> AppendResult:
        """Expire the offer if its deadline has passed (idempotent)."""
        return await self._answer(oid, lambda o, now: o.expire(now), _let_go(EXPIRED), ctx)

    async def _answer(
        self,
        oid: str,
        decide: Callable[[RebookingOffer, datetime], list[Event]],
        then: Callable[[Session, RebookingOffer], Awaitable[None]],
        ctx: CommandContext,
    ) -> AppendResult:
        """A change of one offer: `decide` on it and, when it changed, `then` (its booth)."""

        async def step(s: Session) -> None:
            offer = await s.offer(oid)
            if decide(offer, s.now):
                await then(s, offer)

        return await self.handlers.run(oid, step, ctx)

    async def expire_due(self, ctx: CommandContext) -> int:
        """One sweep: expire every offer past its deadline; how many it expired."""
        due = await self.finder.offers_due(self.handlers.clock.now())
        expired = [await self.expire(oid, ctx) for oid in due]
        return sum(bool(result.event_ids) for result in expired)


async def _hold(s: Session, edition: Edition, booth: BoothRef | None, oid: str) -> BoothRef | None:
    """The previous booth, held for the offer when the target's floor plan has it free."""
    if booth is None:
        return None
    plan = await s.floor_plan(edition.code, booth.hall)
    if booth.code not in plan.booths or not plan.booths[booth.code].free:
        return None
    plan.offer(booth.code, oid)
    return booth


async def _become(s: Session, offer: RebookingOffer) -> None:
    """The offer accepted: an approved application, offered the booth held."""
    assert offer.application_id is not None and offer.offered is not None
    wanted = submission(offer.offered)
    app = await s.application(offer.application_id)
    app.rebook(wanted, await s.edition(wanted.edition), s.now)
    if (held := offer.held) is not None:
        plan = await s.floor_plan(wanted.edition, held.hall)
        plan.hand_over(held.code, offer.id, app.id, ACCEPTED)
        app.offer(held)


def _let_go(reason: str) -> Callable[[Session, RebookingOffer], Awaitable[None]]:
    """The booth held (if any) released for `reason` and offered to the waitlist's head."""

    async def release(s: Session, offer: RebookingOffer) -> None:
        if (held := offer.held) is None or offer.offered is None:
            return
        edition = offer.offered.edition
        plan = await s.floor_plan(edition, held.hall)
        plan.release(held.code, offer.id, reason)
        await offer_to_waitlist(s, edition, held)

    return release
