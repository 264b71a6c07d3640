"""Re-booking stories: the 4th edition's confirmed exhibitors offered a place at the
next one, their old booth held until a deadline; accepted, declined or expired."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jsonschema
import pytest
from exhibitors.domain.edition import Edition
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.domain.rebooking import RebookingOffer, offer_id
from exhibitors.domain.waitlist import Waitlist, waitlist_id
from exhibitors.rebooking import Rebooking
from pavilion_contracts.exhibitors import RebookingStatus, SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound
from pavilion_core.eventstore import AppendResult
from pavilion_core.testing import InMemoryEventStore

from tests.unit.exhibitors.support import BEFORE_OPENING, EDITION, Expo, S, ctx, seeded
from tests.unit.exhibitors.test_applications import SCHEMAS
from tests.unit.exhibitors.test_editions import create

NEXT = "CISCE-2027"
DEADLINE = BEFORE_OPENING + timedelta(days=30)
R = RebookingStatus


@dataclass
class StoreFinder:
    """The Finder's questions, answered from the in-memory store's events."""

    store: InMemoryEventStore

    async def confirmed(self, edition: str) -> list[str]:
        events = self.store.all_events()
        ours = [e.stream_id for e in events if e.type == "ApplicationSubmitted"
                and e.data["edition"] == edition]  # fmt: skip
        done = {e.stream_id for e in events if e.type == "ParticipationConfirmed"}
        return [a for a in ours if a in done]

    async def offers_due(self, now: datetime) -> list[str]:
        events = self.store.all_events()
        settled = {e.stream_id for e in events if e.type.startswith("Rebooking")
                   and e.type != "RebookingOffered"}  # fmt: skip
        return [e.stream_id for e in events if e.type == "RebookingOffered"
                and datetime.fromisoformat(e.data["deadline"]) <= now
                and e.stream_id not in settled]  # fmt: skip


@dataclass
class Expos(Expo):
    """The 4th edition and the next one."""

    window_opens: str | None = None  # the next edition's, for new applications

    def __post_init__(self) -> None:
        fifth = Edition(NEXT)
        fifth.create(create(applications_open_at=self.window_opens))
        self.store.given(fifth.stream_id, fifth.pending)

    @property
    def r(self) -> Rebooking:
        return Rebooking(self.h, StoreFinder(self.store))

    async def offer(self, deadline: datetime = DEADLINE) -> int:
        cmd = c.OfferRebooking(edition=NEXT, from_edition=EDITION, deadline=deadline)
        return (await self.r.offer_rebooking(cmd, ctx())).version

    async def the_offer(self, previous: str) -> RebookingOffer:
        oid = offer_id(NEXT, previous)
        return RebookingOffer(oid).replay(await self.store.read_stream(oid))

    async def next_plan(self, hall: str = "Z") -> FloorPlan:
        stream = await self.store.read_stream(floor_plan_id(NEXT, hall))
        return FloorPlan(NEXT, hall).replay(stream)

    async def next_booths(self, *codes: str, hall: str = "Z") -> None:
        for code in codes:
            booth = c.DefineBooth(
                edition=NEXT,
                hall=hall,
                booth_code=code,
                size_sqm=18,
                supply_chain_area=SupplyChainArea.CLEAN_ENERGY,
            )
            await self.h.define_booth(booth, ctx())

    async def waitlisted_at_next(self, name: str) -> str:
        submit = c.SubmitApplication(
            edition=NEXT,
            company_name=name,
            country="DE",
            supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
        )
        app_id = (await self.h.submit_application(submit, ctx())).stream_id
        await self.h.start_review(c.StartReview.model_validate({"applicationId": app_id}), ctx())
        await self.h.waitlist_application(
            c.WaitlistApplication.model_validate({"applicationId": app_id}), ctx()
        )
        return app_id


def booth_of(app_id: str) -> str:
    """The booth the support's path to CONFIRMED assigns (hall Z)."""
    return f"Z-{app_id[:8]}"


async def test_each_confirmed_exhibitor_is_offered_once_holding_its_free_old_booth() -> None:
    x = Expos()
    first, second = await x.in_state(S.CONFIRMED), await x.in_state(S.CONFIRMED)
    await x.in_state(S.APPROVED)  # not confirmed: no offer
    await x.next_booths(booth_of(first))  # the second's booth is not on the new plan

    assert await x.offer() == 2
    offer = await x.the_offer(first)
    assert offer.status is R.OFFERED and offer.held is not None
    assert offer.held.code == booth_of(first)
    assert offer.offered is not None and offer.offered.previous_editions == 1
    assert [x["email"] for x in offer.offered.contacts] == ["ana@example.com"]
    assert (await x.next_plan()).booths[booth_of(first)].offered_to == offer.id
    assert (await x.the_offer(second)).held is None

    assert await x.offer() == 0  # offering again makes nothing new
    assert len(x.events_of(offer.id)) == 1


async def test_the_deadline_must_be_ahead_and_before_the_edition_opens() -> None:
    x = Expos()
    await x.in_state(S.CONFIRMED)
    with pytest.raises(InvalidValue):
        await x.offer(BEFORE_OPENING - timedelta(minutes=1))
    with pytest.raises(InvalidValue):
        await x.offer(datetime(2027, 6, 21, 2, tzinfo=UTC))  # 10:00 in Beijing: opened
    with pytest.raises(InvalidValue):  # re-booking goes forward only
        cmd = c.OfferRebooking(edition=EDITION, from_edition=NEXT, deadline=DEADLINE)
        await x.r.offer_rebooking(cmd, ctx())


async def test_an_exhibitor_that_applied_already_is_offered_nothing() -> None:
    x = Expos()
    previous = await x.in_state(S.CONFIRMED)
    name = (await x.application(previous)).company_name
    await x.waitlisted_at_next(name)
    assert await x.offer() == 0


async def test_a_returning_exhibitor_accepts_before_the_window_for_new_ones_opens() -> None:
    x = Expos(window_opens="2026-09-01T00:00:00+08:00")  # after BEFORE_OPENING
    previous = await x.in_state(S.CONFIRMED)
    await x.offer()
    accept = c.AcceptRebooking.model_validate({"offerId": offer_id(NEXT, previous)})

    await x.r.accept_rebooking(accept, ctx())

    assert (await x.the_offer(previous)).status == RebookingStatus.ACCEPTED


async def test_accepting_makes_an_approved_application_offered_the_booth_held() -> None:
    x = Expos()
    previous = await x.in_state(S.CONFIRMED)
    await x.next_booths(booth_of(previous))
    await x.offer()
    oid = offer_id(NEXT, previous)

    await x.r.accept_rebooking(c.AcceptRebooking.model_validate({"offerId": oid}), ctx())
    offer = await x.the_offer(previous)
    assert offer.status is R.ACCEPTED and offer.application_id
    app = await x.application(offer.application_id)
    assert app.status == S.APPROVED and app.edition == NEXT
    assert app.previous_editions == 1 and app.offered_booth == offer.held
    assert (await x.next_plan()).booths[booth_of(previous)].offered_to == app.id

    again = await x.r.accept_rebooking(c.AcceptRebooking.model_validate({"offerId": oid}), ctx())
    assert again.event_ids == []  # accepting twice changes nothing
    with pytest.raises(InvalidTransition):
        await x.r.decline_rebooking(
            c.DeclineRebooking.model_validate({"offerId": oid, "reason": "no"}), ctx()
        )


async def test_after_the_deadline_the_offer_cannot_be_accepted_and_expires() -> None:
    x = Expos()
    previous = await x.in_state(S.CONFIRMED)
    await x.next_booths(booth_of(previous))
    await x.offer()
    head = await x.waitlisted_at_next("Waiting GmbH")
    oid = offer_id(NEXT, previous)

    assert await x.r.expire_due(ctx()) == 0  # not yet
    x.clock.current = DEADLINE
    with pytest.raises(InvalidTransition):
        await x.r.accept_rebooking(c.AcceptRebooking.model_validate({"offerId": oid}), ctx())
    assert await x.r.expire_due(ctx()) == 1
    assert await x.r.expire_due(ctx()) == 0  # once
    assert (await x.the_offer(previous)).status is R.EXPIRED
    assert (await x.next_plan()).booths[booth_of(previous)].offered_to == head
    assert (await x.application(head)).offered_booth is not None
    waitlist = Waitlist(NEXT).replay(await x.store.read_stream(waitlist_id(NEXT)))
    assert head not in waitlist.entries


async def test_declining_gives_the_booth_to_the_waitlist_and_is_final() -> None:
    x = Expos()
    previous = await x.in_state(S.CONFIRMED)
    await x.next_booths(booth_of(previous))
    await x.offer()
    head = await x.waitlisted_at_next("Waiting GmbH")
    decline = c.DeclineRebooking.model_validate(
        {"offerId": offer_id(NEXT, previous), "reason": "not this year"}
    )
    await x.r.decline_rebooking(decline, ctx())
    assert (await x.the_offer(previous)).status is R.DECLINED
    assert (await x.next_plan()).booths[booth_of(previous)].offered_to == head
    assert (await x.r.decline_rebooking(decline, ctx())).event_ids == []
    with pytest.raises(InvalidTransition):
        await x.r.accept_rebooking(
            c.AcceptRebooking.model_validate({"offerId": decline.offer_id}), ctx()
        )


async def test_an_unknown_offer_is_not_found_and_an_application_since_is_a_duplicate() -> None:
    x = Expos()
    with pytest.raises(NotFound):
        await x.r.accept_rebooking(
            c.AcceptRebooking.model_validate({"offerId": offer_id(NEXT, "x")}), ctx()
        )
    previous = await x.in_state(S.CONFIRMED)
    await x.offer()
    await x.waitlisted_at_next((await x.application(previous)).company_name)
    with pytest.raises(Duplicate):
        await x.r.accept_rebooking(
            c.AcceptRebooking.model_validate({"offerId": offer_id(NEXT, previous)}), ctx()
        )
    assert (await x.the_offer(previous)).status is R.OFFERED


async def test_every_event_of_the_stories_matches_its_schema() -> None:
    x = Expos()
    kept, declined, expired = [await x.in_state(S.CONFIRMED) for _ in range(3)]
    await x.next_booths(*(booth_of(a) for a in (kept, declined, expired)))
    await x.waitlisted_at_next("Waiting GmbH")
    await x.offer()
    await x.r.accept_rebooking(
        c.AcceptRebooking.model_validate({"offerId": offer_id(NEXT, kept)}), ctx()
    )
    await x.r.decline_rebooking(
        c.DeclineRebooking.model_validate({"offerId": offer_id(NEXT, declined), "reason": "no"}),
        ctx(),
    )
    x.clock.current = DEADLINE
    await x.r.expire_due(ctx())

    seen = set()
    for event in x.store.all_events():
        schema = json.loads(
            (SCHEMAS / f"{event.type}.v{event.schema_version}.schema.json").read_text()
        )
        jsonschema.validate(event.data, schema, format_checker=jsonschema.FormatChecker())
        seen.add(event.type)
    assert {
        "RebookingOffered",
        "RebookingAccepted",
        "RebookingDeclined",
        "RebookingExpired",
    } <= seen


class CrashingStore(InMemoryEventStore):
    """A store whose process dies (an exception) at its `crash_at`-th append."""

    def __init__(self, crash_at: int) -> None:
        super().__init__()
        self.appends, self.crash_at = 0, crash_at

    async def append_many(self, *args: Any, **kwargs: Any) -> AppendResult:
        self.appends += 1
        if self.appends == self.crash_at:
            raise ConnectionError("the process died here")
        return await super().append_many(*args, **kwargs)


async def test_a_campaign_that_stopped_half_way_is_finished_by_running_it_again() -> None:
    x = Expos(store=seeded(CrashingStore(crash_at=10**9)))
    apps = [await x.in_state(S.CONFIRMED) for _ in range(3)]
    store = x.store
    assert isinstance(store, CrashingStore)
    store.crash_at = store.appends + 2  # the first offer is made, the second is not
    with pytest.raises(ConnectionError):
        await x.offer()
    assert [(await x.the_offer(a)).status for a in apps] == [R.OFFERED, None, None]
    assert await x.offer() == 2  # the two missing ones, and nothing twice
    assert all(len(x.events_of(offer_id(NEXT, a))) == 1 for a in apps)
