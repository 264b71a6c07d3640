"""Interests through their stages, conversion, and follow-ups with their overdue
announcement, as stories."""

from datetime import timedelta

import pytest
from outreach.domain.leads import FollowUp, follow_up_stream, interest_stream
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import InterestKind
from pavilion_contracts.outreach import commands as c
from pavilion_core.errors import InvalidTransition, InvalidValue, NotFound
from pavilion_core.eventstore import WrongExpectedVersion

from tests.unit.outreach.support import NOW, Outreach, ctx, new_id


async def test_an_interest_moves_captured_qualified_nurturing_converted() -> None:
    o = Outreach()
    interest, contact, org = await o.interest()
    with pytest.raises(InvalidTransition, match="convert an interest that is CAPTURED"):
        await o.change_interest(interest, "convert")
    with pytest.raises(InvalidTransition, match="nurture an interest that is CAPTURED"):
        await o.change_interest(interest, "nurture")
    for action in ("qualify", "nurture"):
        await o.change_interest(interest, action)
    await o.change_interest(interest, "assign", owner="li@ccpit")
    await o.change_interest(interest, "convert")

    converted = o.events(interest_stream(interest))[-1]
    assert converted.type == "InterestConverted"
    assert converted.data == {
        "interestId": interest,
        "kind": "EXHIBIT",
        "edition": "CISCE-2026",
        "organizationId": org,
        "organizationName": "Maple Robotics",
        "country": "CA",
        "supplyChainAreas": ["ADVANCED_MANUFACTURING"],
        "productCategories": ["robots"],
        "contact": {
            "contactId": contact,
            "name": "Jane Roy",
            "email": o.events(contact)[0].data["email"],
            "phone": None,
        },
        "sourceEventId": None,
        "applicationId": None,
    }
    for action in ("lose", "qualify", "convert"):
        with pytest.raises(InvalidTransition, match="CONVERTED"):
            await o.change_interest(interest, action, reason="r")


async def test_a_lost_interest_needs_nothing_more_and_stays_lost() -> None:
    o = Outreach()
    interest, _, _ = await o.interest()
    await o.change_interest(interest, "lose", reason="budget")
    with pytest.raises(InvalidTransition, match="LOST"):
        await o.change_interest(interest, "qualify")


async def test_an_application_naming_the_interest_converts_it_once() -> None:
    o = Outreach()
    interest, _, _ = await o.interest()
    application = new_id()
    for _ in range(2):
        await o.h.application_submitted(interest, application, ctx())
    assert o.types(interest_stream(interest)) == ["InterestCaptured", "InterestConverted"]
    assert o.events(interest_stream(interest))[-1].data["applicationId"] == application


async def test_an_application_for_an_interest_converted_by_staff_is_linked_once() -> None:
    o = Outreach()
    interest, _, _ = await o.interest()
    await o.change_interest(interest, "qualify")
    await o.change_interest(interest, "convert")
    application = new_id()
    for _ in range(2):
        await o.h.application_submitted(interest, application, ctx())
    assert o.types(interest_stream(interest))[-1] == "InterestApplicationLinked"
    assert o.types(interest_stream(interest)).count("InterestApplicationLinked") == 1


async def test_a_refused_conversion_is_undone_once_and_only_for_that_conversion() -> None:
    o = Outreach()
    interest, _, _ = await o.interest()
    for action in ("qualify", "convert"):
        await o.change_interest(interest, action)
    reason = ("INVALID_TRANSITION", "CISCE-2026 has opened")
    for _ in range(2):
        await o.h.conversion_refused(interest, 3, reason, ctx())
    await o.change_interest(interest, "convert")
    await o.h.conversion_refused(interest, 3, reason, ctx())  # the first, late: stale
    await o.h.application_submitted(interest, new_id(), ctx())
    await o.h.conversion_refused(interest, 5, reason, ctx())  # an application answers it

    assert o.types(interest_stream(interest))[2:] == [
        "InterestConverted",
        "InterestConversionRefused",
        "InterestConverted",
        "InterestApplicationLinked",
    ]
    refusal = o.events(interest_stream(interest))[3].data
    assert (refusal["code"], refusal["reason"]) == reason


async def test_an_interest_needs_an_organization_and_areas_to_exhibit() -> None:
    o = Outreach()
    loner = await o.contact()
    with pytest.raises(InvalidValue, match="has no organization"):
        await o.h.capture_interest(
            c.CaptureInterest(contact_id=loner, kind=InterestKind.VISIT, edition="CISCE-2026"),
            ctx(),
        )
    org = await o.organization()
    with pytest.raises(InvalidValue, match="names its areas"):
        await o.h.capture_interest(
            c.CaptureInterest(
                contact_id=loner,
                kind=InterestKind.EXHIBIT,
                edition="CISCE-2026",
                organization_id=org,
            ),
            ctx(),
        )
    with pytest.raises(NotFound):
        await o.h.capture_interest(
            c.CaptureInterest(
                contact_id=loner,
                kind=InterestKind.EXHIBIT,
                edition="CISCE-2026",
                supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
                organization_id=org,
                source_event_id=new_id(),
            ),
            ctx(),
        )


async def test_a_follow_up_seen_before_it_was_announced_overdue_is_still_done() -> None:
    """The announcement is the scheduler's bookkeeping, not an edit: marking done what one
    saw just before it is no conflict. A reschedule seen by nobody is."""
    o = Outreach()
    task = await o.created(
        o.h.schedule_follow_up,
        c.ScheduleFollowUp(subject_id=new_id(), owner="li@ccpit", due_at=NOW + timedelta(hours=1)),
    )
    o.clock.advance(timedelta(hours=2))
    await o.h.announce_overdue(task, ctx())
    await o.h.change_follow_up(
        c.RescheduleFollowUp(follow_up_id=task, due_at=o.clock.now() + timedelta(days=1)),
        ctx(expected_version=1),
    )
    with pytest.raises(WrongExpectedVersion):  # the reschedule at version 3 was not seen
        await o.h.change_follow_up(
            c.CompleteFollowUp(follow_up_id=task, outcome="called"), ctx(expected_version=2)
        )
    await o.h.change_follow_up(
        c.CompleteFollowUp(follow_up_id=task, outcome="called"), ctx(expected_version=3)
    )
    assert o.types(follow_up_stream(task))[1:] == [
        "FollowUpBecameOverdue",
        "FollowUpRescheduled",
        "FollowUpCompleted",
    ]


async def test_a_follow_up_is_announced_overdue_once_per_due_time() -> None:
    o = Outreach()
    task = await o.created(
        o.h.schedule_follow_up,
        c.ScheduleFollowUp(subject_id=new_id(), owner="li@ccpit", due_at=NOW + timedelta(days=1)),
    )
    await o.h.announce_overdue(task, ctx())  # not due yet
    o.clock.advance(timedelta(days=2))
    for _ in range(3):
        await o.h.announce_overdue(task, ctx())
    assert o.types(follow_up_stream(task)).count("FollowUpBecameOverdue") == 1

    await o.h.change_follow_up(
        c.RescheduleFollowUp(follow_up_id=task, due_at=o.clock.now() + timedelta(hours=1)), ctx()
    )
    o.clock.advance(timedelta(hours=2))
    await o.h.announce_overdue(task, ctx())
    await o.h.change_follow_up(
        c.CompleteFollowUp(follow_up_id=task, outcome="called, interested"), ctx()
    )
    await o.h.announce_overdue(task, ctx())
    assert o.types(follow_up_stream(task)).count("FollowUpBecameOverdue") == 2
    state = FollowUp(task).replay(o.events(follow_up_stream(task)))
    assert state.status == "COMPLETED"
    with pytest.raises(InvalidTransition, match="COMPLETED"):
        await o.h.change_follow_up(c.CancelFollowUp(follow_up_id=task, reason="x"), ctx())
