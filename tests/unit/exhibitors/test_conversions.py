"""An outreach interest's conversion, as exhibitors answers it: one application per
interest, a refusal recorded once, and a refused conversion never started by a replay
(while a later conversion of the same interest may be)."""

from uuid import UUID, uuid4

from exhibitors.commands import RefuseConversion, StartConversion
from exhibitors.domain.conversion import conversion_id
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c

from tests.unit.exhibitors.support import EDITION, Expo, ctx


def conversion(interest: str, version: int) -> StartConversion:
    application = c.SubmitApplication(
        edition=EDITION,
        company_name="Oakland AI",
        country="US",
        supply_chain_areas=(SupplyChainArea.DIGITAL_TECHNOLOGY,),
        contacts=[c.ApplicantContactIn(name="Maya Chen", email="maya@oakland.example")],
        organization_id=uuid4(),
        source_interest_id=UUID(interest),
    )
    return StartConversion(version, application)


async def test_a_conversion_started_again_starts_nothing() -> None:
    expo, interest = Expo(), str(uuid4())
    start = conversion(interest, 3)
    first = await expo.new_events(lambda: expo.h.start_conversion(start, ctx()))
    again = await expo.new_events(lambda: expo.h.start_conversion(start, ctx()))
    assert [t for _, t in first] == ["ApplicationSubmitted"] and again == []


async def test_a_refused_conversion_stays_refused_and_a_later_one_may_start() -> None:
    expo, interest = Expo(), str(uuid4())
    refuse = RefuseConversion(interest, 3, "INVALID_TRANSITION", "CISCE-2026 has opened")
    for _ in range(2):
        await expo.h.refuse_conversion(refuse, ctx())
    replayed = await expo.new_events(
        lambda: expo.h.start_conversion(conversion(interest, 3), ctx())
    )
    later = await expo.new_events(lambda: expo.h.start_conversion(conversion(interest, 5), ctx()))

    assert [e.type for e in expo.events_of(conversion_id(interest))] == ["ConversionRefused"]
    assert replayed == []
    assert [t for _, t in later] == ["ApplicationSubmitted"]
