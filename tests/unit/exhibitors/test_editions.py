"""Stories of editions as records: created once, their applications opened and closed,
their floor plan copied from an earlier edition, and applications taken only while
their window is open."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from exhibitors.domain.edition import edition_id
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.editions import seed
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.config import ConfigError
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound
from pydantic import ValidationError

from tests.unit.exhibitors.support import EDITION, Expo, ctx

NEXT = "CISCE-2027"
APPLICATIONS_OPEN = datetime(2026, 9, 1, tzinfo=UTC) - timedelta(hours=8)
APPLICATIONS_CLOSE = datetime(2027, 6, 1, tzinfo=UTC) - timedelta(hours=8)
OPENS = datetime(2027, 6, 21, 1, tzinfo=UTC)
AREAS = tuple(SupplyChainArea)


def create(**kw: Any) -> c.CreateEdition:
    fields: dict[str, Any] = {
        "code": NEXT,
        "name": "5th China International Supply Chain Expo",
        "city": "Beijing",
        "country": "CN",
        "starts_on": "2027-06-21",
        "ends_on": "2027-06-25",
        "timezone": "Asia/Shanghai",
        "currency": "CNY",
        "supply_chain_areas": AREAS,
        "deposit_threshold_pct": 50,
        "opens_at": "2027-06-21T09:00:00+08:00",
        "applications_open_at": "2026-09-01T00:00:00+08:00",
        "applications_close_at": "2027-06-01T00:00:00+08:00",
    }
    return c.CreateEdition.model_validate({**fields, **kw})


def submit(edition: str = NEXT, name: str = "Maple Robotics Inc.") -> c.SubmitApplication:
    return c.SubmitApplication(
        edition=edition,
        company_name=name,
        country="CA",
        supply_chain_areas=(SupplyChainArea.CLEAN_ENERGY,),
    )


async def next_edition(expo: Expo, **kw: Any) -> None:
    await expo.editions.create_edition(create(**kw), ctx())


def at(expo: Expo, moment: datetime) -> None:
    expo.clock.current = moment


async def test_a_created_edition_is_what_the_rules_read() -> None:
    expo = Expo()
    await next_edition(expo)
    edition = await expo.edition(NEXT)
    assert (edition.currency, edition.deposit_threshold_pct) == ("CNY", 50)
    assert edition.applications_open_at == APPLICATIONS_OPEN
    assert edition.closes_at == APPLICATIONS_CLOSE and edition.opens_at == OPENS
    assert [e.type for e in expo.events_of(edition_id(NEXT))] == ["EditionCreated"]


async def test_a_code_used_twice_is_a_duplicate() -> None:
    expo = Expo()
    await next_edition(expo)
    with pytest.raises(Duplicate) as twice:
        await next_edition(expo, name="Another")
    assert twice.value.existing_id == edition_id(NEXT)
    with pytest.raises(Duplicate):
        await next_edition(expo, code=EDITION)  # the seed's


OUT_OF_ORDER = [
    ({"ends_on": "2027-06-20"}, "endsOn"),
    ({"applications_close_at": "2027-06-21T09:00:01+08:00"}, "applicationsCloseAt"),
    ({"applications_open_at": "2027-06-01T00:00:00+08:00"}, "applicationsOpenAt"),
    ({"applications_open_at": "2027-06-22T00:00:00+08:00",
      "applications_close_at": None}, "applicationsOpenAt"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field"), OUT_OF_ORDER)
async def test_dates_out_of_order_are_refused_and_change_nothing(
    change: dict[str, Any], field: str
) -> None:
    expo = Expo()
    with pytest.raises(InvalidValue) as refused:
        await next_edition(expo, **change)
    assert refused.value.field == field
    assert expo.events_of(edition_id(NEXT)) == []


@pytest.mark.parametrize(
    "change",
    [
        {"code": "cisce-2027"},
        {"currency": "yuan"},
        {"country": "XX"},
        {"deposit_threshold_pct": 101},
        {"supply_chain_areas": ()},
        {"timezone": "Asia/Atlantis"},
        {"opens_at": "2027-06-21T09:00:00"},  # no offset
    ],
)
def test_malformed_editions_are_refused_by_the_contract(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        create(**change)


async def test_applications_are_taken_only_within_their_window() -> None:
    expo = Expo()
    await next_edition(expo)
    at(expo, APPLICATIONS_OPEN - timedelta(seconds=1))
    with pytest.raises(InvalidTransition, match="CISCE-2027 does not accept applications before"):
        await expo.h.submit_application(submit(), ctx())
    at(expo, APPLICATIONS_CLOSE)
    with pytest.raises(InvalidTransition, match="CISCE-2027 accepts no more applications"):
        await expo.h.submit_application(submit(), ctx())
    at(expo, OPENS)
    with pytest.raises(InvalidTransition, match="has opened: only withdrawal"):
        await expo.h.submit_application(submit(), ctx())
    at(expo, APPLICATIONS_OPEN)
    submitted = await expo.h.submit_application(submit(), ctx())
    assert (await expo.application(submitted.stream_id)).edition == NEXT


async def test_opening_early_and_closing_move_the_window_to_now() -> None:
    expo = Expo()
    await next_edition(expo)
    early = APPLICATIONS_OPEN - timedelta(days=30)
    at(expo, early)
    await expo.editions.open_applications(c.OpenApplications(edition=NEXT), ctx())
    edition = await expo.edition(NEXT)
    assert edition.accepts_applications(early) and edition.closes_at == APPLICATIONS_CLOSE
    await expo.h.submit_application(submit(), ctx())

    later = early + timedelta(days=1)
    at(expo, later)
    await expo.editions.close_applications(c.CloseApplications(edition=NEXT), ctx())
    assert (await expo.edition(NEXT)).closes_at == later
    with pytest.raises(InvalidTransition, match="accepts no more applications"):
        await expo.h.submit_application(submit(name="Late Ltd"), ctx())


async def test_closing_closed_applications_and_opening_open_ones_change_nothing() -> None:
    expo = Expo()
    await next_edition(expo)
    at(expo, APPLICATIONS_OPEN + timedelta(days=1))
    opened = await expo.editions.open_applications(c.OpenApplications(edition=NEXT), ctx())
    assert opened.event_ids == []
    await expo.editions.close_applications(c.CloseApplications(edition=NEXT), ctx())
    closed = await expo.editions.close_applications(c.CloseApplications(edition=NEXT), ctx())
    assert closed.event_ids == [] and closed.version == 2


async def test_reopening_closed_applications_takes_them_until_the_expo_opens() -> None:
    expo = Expo()
    await next_edition(expo)
    reopened_at = APPLICATIONS_CLOSE + timedelta(days=2)
    at(expo, reopened_at)
    await expo.editions.open_applications(c.OpenApplications(edition=NEXT), ctx())
    edition = await expo.edition(NEXT)
    assert (edition.applications_open_at, edition.closes_at) == (reopened_at, OPENS)
    await expo.h.submit_application(submit(), ctx())


async def test_the_applications_of_an_edition_that_has_opened_cannot_be_opened() -> None:
    expo = Expo()
    await next_edition(expo)
    at(expo, OPENS + timedelta(days=1))
    with pytest.raises(InvalidTransition, match="opened on 2027-06-21T09:00:00\\+08:00"):
        await expo.editions.open_applications(c.OpenApplications(edition=NEXT), ctx())
    closed = await expo.editions.close_applications(c.CloseApplications(edition=NEXT), ctx())
    assert closed.event_ids == []  # they were: nothing to close


async def test_an_unknown_edition_is_not_found_or_an_invalid_value() -> None:
    expo = Expo()
    with pytest.raises(NotFound):
        await expo.editions.open_applications(c.OpenApplications(edition="NOPE-1"), ctx())
    with pytest.raises(InvalidValue) as unknown:
        await expo.h.submit_application(submit("NOPE-1"), ctx())
    assert unknown.value.field == "edition" and EDITION in str(unknown.value)


def booth(hall: str, code: str, size: int = 18, area: str = "CLEAN_ENERGY") -> c.DefineBooth:
    return c.DefineBooth(
        edition=EDITION,
        hall=hall,
        booth_code=code,
        size_sqm=size,
        supply_chain_area=SupplyChainArea(area),
    )


async def plan(expo: Expo, edition: str, hall: str) -> dict[str, tuple[int, str]]:
    history = await expo.store.read_stream(floor_plan_id(edition, hall))
    booths = FloorPlan(edition, hall).replay(history).booths.values()
    return {b.code: (b.size_sqm, b.area) for b in booths}


COPY = c.CopyFloorPlan(edition=NEXT, from_edition=EDITION)


async def test_copying_a_floor_plan_defines_every_booth_but_the_retired_ones() -> None:
    expo = Expo()
    await next_edition(expo)
    defined = (booth("A", "A-1"), booth("A", "A-2", 36), booth("B", "B-1", 9, "SMART_VEHICLES"))
    for define in defined:
        await expo.h.define_booth(define, ctx())
    await expo.h.retire_booth(c.RetireBooth(edition=EDITION, hall="A", booth_code="A-2"), ctx())

    result = await expo.editions.copy_floor_plan(COPY, ctx())

    assert await plan(expo, NEXT, "A") == {"A-1": (18, "CLEAN_ENERGY")}
    assert await plan(expo, NEXT, "B") == {"B-1": (9, "SMART_VEHICLES")}
    [copied] = expo.events_of(edition_id(NEXT))[1:]
    shown = (copied.type, copied.data["halls"], copied.data["booths"])
    assert shown == ("EditionFloorPlanCopied", ["A", "B"], 2)
    halls = {floor_plan_id(NEXT, "A"), floor_plan_id(NEXT, "B")}
    assert set(result.streams) == {edition_id(NEXT), *halls}
    again = await expo.editions.copy_floor_plan(COPY, ctx())
    assert again.event_ids == []  # equal booths: nothing new


async def test_a_conflicting_booth_refuses_the_whole_copy() -> None:
    expo = Expo()
    await next_edition(expo)
    await expo.h.define_booth(booth("A", "A-1"), ctx())
    await expo.h.define_booth(booth("B", "B-1"), ctx())
    await expo.h.define_booth(booth("B", "B-1", 36).model_copy(update={"edition": NEXT}), ctx())
    with pytest.raises(Duplicate, match="B-1 of hall B is 36 sqm"):
        await expo.editions.copy_floor_plan(COPY, ctx())
    assert await plan(expo, NEXT, "A") == {}  # nothing copied, not even hall A


async def test_areas_the_new_edition_lacks_refuse_the_copy_naming_them() -> None:
    expo = Expo()
    await next_edition(expo, supply_chain_areas=("CLEAN_ENERGY",))
    await expo.h.define_booth(booth("A", "A-1"), ctx())
    await expo.h.define_booth(booth("B", "B-1", area="SMART_VEHICLES"), ctx())
    await expo.h.define_booth(booth("B", "B-2", area="HEALTHY_LIVING"), ctx())
    with pytest.raises(InvalidValue, match="HEALTHY_LIVING, SMART_VEHICLES") as refused:
        await expo.editions.copy_floor_plan(COPY, ctx())
    assert refused.value.field == "fromEdition" and await plan(expo, NEXT, "A") == {}


async def test_copying_from_an_unknown_edition_or_itself_is_an_invalid_value() -> None:
    expo = Expo()
    await next_edition(expo)
    with pytest.raises(InvalidValue) as unknown:
        await expo.editions.copy_floor_plan(
            COPY.model_copy(update={"from_edition": "NOPE-1"}), ctx()
        )
    assert unknown.value.field == "fromEdition"
    with pytest.raises(InvalidValue):
        await expo.editions.copy_floor_plan(COPY.model_copy(update={"from_edition": NEXT}), ctx())


def test_a_seed_that_does_not_make_editions_stops_the_service(tmp_path: Any) -> None:
    bad = tmp_path / "editions.json"
    bad.write_text('[{"code": "CISCE-2026", "currency": "yuan"}]')
    with pytest.raises(ConfigError, match="currency"):
        seed(str(bad))
    assert [e.code for e in seed()] == [EDITION]
