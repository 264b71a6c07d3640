"""History with its original times, on the fakes: a command is decided as of the time it
happened (the rules as they applied then), its events carry that time apart from their
recording, and a stream's history goes in order."""

from datetime import timedelta

import pytest
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.errors import InvalidTransition
from pavilion_core.eventstore import HISTORY_KEY_RETENTION, KEY_RETENTION, HistoryOutOfOrder

from tests.unit.exhibitors.support import AFTER_OPENING, BEFORE_OPENING, EDITION, Expo, ctx

SUBMIT = c.SubmitApplication(
    edition=EDITION,
    company_name="Harbor Solar",
    country="CA",
    supply_chain_areas=(SupplyChainArea.CLEAN_ENERGY,),
)


async def test_history_is_decided_as_of_when_it_happened_and_keeps_that_time() -> None:
    expo = Expo()
    expo.clock.current = AFTER_OPENING  # today the edition has opened: no submission
    with pytest.raises(InvalidTransition, match="has opened"):
        await expo.h.submit_application(SUBMIT, ctx())

    app = (await expo.h.submit_application(SUBMIT, ctx(occurred_at=BEFORE_OPENING))).stream_id

    [event] = expo.events_of(app)
    assert event.occurred_at == BEFORE_OPENING != event.recorded_at
    assert event.metadata["occurred_at"] == BEFORE_OPENING.isoformat()


async def test_history_earlier_than_what_a_stream_records_is_refused_and_appends_nothing() -> None:
    expo = Expo()
    app = (await expo.h.submit_application(SUBMIT, ctx(occurred_at=BEFORE_OPENING))).stream_id
    earlier = BEFORE_OPENING - timedelta(days=1)

    with pytest.raises(HistoryOutOfOrder, match="in order"):
        await expo.h.start_review(c.StartReview(application_id=app), ctx(occurred_at=earlier))
    assert len(expo.events_of(app)) == 1
    same_moment = ctx(occurred_at=BEFORE_OPENING)  # not earlier: in order
    await expo.h.start_review(c.StartReview(application_id=app), same_moment)
    assert len(expo.events_of(app)) == 2


def test_the_key_of_history_is_kept_for_good() -> None:
    live, history = ctx(idempotency_key="k"), ctx(idempotency_key="k", occurred_at=BEFORE_OPENING)
    assert live.idempotency(KEY_RETENTION).kept_for == KEY_RETENTION  # type: ignore[union-attr]
    assert history.idempotency(KEY_RETENTION).kept_for == HISTORY_KEY_RETENTION  # type: ignore[union-attr]
