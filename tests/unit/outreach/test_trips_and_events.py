"""Delegations, trips and outreach events with their invitees, as stories."""

from datetime import UTC, date, datetime, timedelta

import pytest
from outreach import commands as c
from outreach.domain.gatherings import OutreachEvent, outreach_event_stream
from outreach.domain.travel import Stop, Trip, trip_stream
from pavilion_contracts.outreach import (
    ConsentChannel,
    ConsentPurpose,
    LegalBasis,
    OutreachEventKind,
)
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound

from tests.unit.outreach.support import FORUM_STARTS, NOW, Outreach, ctx, new_id


async def event_state(o: Outreach, event_id: str) -> OutreachEvent:
    return OutreachEvent(event_id).replay(o.events(outreach_event_stream(event_id)))


async def test_a_trip_runs_planned_in_progress_completed_and_refuses_the_rest() -> None:
    o = Outreach()
    trip = await o.trip()
    await o.h.add_trip_stop(
        c.AddTripStop(trip, Stop("Chicago", "US", date(2025, 12, 6), date(2025, 12, 7))), ctx()
    )
    await o.h.reschedule_trip_stop(
        c.RescheduleTripStop(trip, 1, date(2025, 12, 3), date(2025, 12, 3)), ctx()
    )
    with pytest.raises(InvalidValue, match="no stop 9"):
        await o.h.reschedule_trip_stop(
            c.RescheduleTripStop(trip, 9, date(2025, 12, 3), date(2025, 12, 3)), ctx()
        )
    with pytest.raises(InvalidValue, match="before it starts"):
        await o.h.add_trip_stop(
            c.AddTripStop(trip, Stop("X", "US", date(2025, 12, 9), date(2025, 12, 8))), ctx()
        )
    with pytest.raises(InvalidTransition, match="complete a trip that is PLANNED"):
        await o.h.change_trip_status(c.ChangeTripStatus(trip, "complete"), ctx())
    await o.h.change_trip_status(c.ChangeTripStatus(trip, "start"), ctx())
    await o.h.change_trip_status(c.ChangeTripStatus(trip, "complete"), ctx())
    with pytest.raises(InvalidTransition, match="COMPLETED"):
        await o.h.change_trip_status(c.ChangeTripStatus(trip, "cancel", "x"), ctx())
    state = Trip(trip).replay(o.events(trip_stream(trip)))
    assert state.status == "COMPLETED" and len(state.stops) == 4
    assert state.stops[1].starts_on == date(2025, 12, 3)


async def test_a_cancelled_trip_takes_no_events_and_events_fall_within_their_stop() -> None:
    o = Outreach()
    trip = await o.trip()
    with pytest.raises(InvalidValue, match="Toronto is visited"):
        await o.h.schedule_event(
            c.ScheduleOutreachEvent(
                new_id(),
                trip,
                0,
                "Too late",
                OutreachEventKind.SPEECH,
                FORUM_STARTS + timedelta(days=9),
                FORUM_STARTS + timedelta(days=9, hours=1),
            ),
            ctx(),
        )
    await o.h.change_trip_status(c.ChangeTripStatus(trip, "cancel", "visa"), ctx())
    with pytest.raises(InvalidTransition, match="CANCELLED"):
        await o.h.schedule_event(
            c.ScheduleOutreachEvent(
                new_id(),
                trip,
                0,
                "Forum",
                OutreachEventKind.FORUM,
                FORUM_STARTS,
                FORUM_STARTS + timedelta(hours=2),
            ),
            ctx(),
        )


async def test_delegation_members() -> None:
    o = Outreach()
    leader, member = await o.contact(), await o.contact()
    delegation = new_id()
    await o.h.form_delegation(c.FormDelegation(delegation, "D", "CCPIT", leader, "p"), ctx())
    await o.h.change_delegation_member(c.ChangeDelegationMember(delegation, member, True), ctx())
    with pytest.raises(Duplicate):
        await o.h.change_delegation_member(
            c.ChangeDelegationMember(delegation, member, True), ctx()
        )
    await o.h.change_delegation_member(c.ChangeDelegationMember(delegation, member, False), ctx())
    with pytest.raises(NotFound):
        await o.h.change_delegation_member(
            c.ChangeDelegationMember(delegation, member, False), ctx()
        )


async def test_invitations_rsvps_and_attendance_follow_the_invitee_rules() -> None:
    o = Outreach()
    forum = await o.forum(capacity=1)
    ana, bo, cy = await o.contact(), await o.contact(), await o.contact()
    for guest in (ana, bo, cy):
        await o.h.invite_contact(c.InviteContact(forum, guest), ctx())
    with pytest.raises(Duplicate):
        await o.h.invite_contact(c.InviteContact(forum, ana), ctx())
    with pytest.raises(InvalidTransition, match="it cannot be attended yet"):
        await o.h.record_attendance(c.RecordAttendance(forum, ana, True), ctx())

    await o.h.record_rsvp(c.RecordRsvp(forum, ana, True), ctx())
    with pytest.raises(InvalidTransition, match="is full"):
        await o.h.record_rsvp(c.RecordRsvp(forum, bo, True), ctx())
    await o.h.record_rsvp(c.RecordRsvp(forum, bo, False), ctx())
    with pytest.raises(InvalidTransition, match="invitee who is DECLINED"):
        await o.h.record_rsvp(c.RecordRsvp(forum, bo, True), ctx())
    with pytest.raises(NotFound):
        await o.h.record_rsvp(c.RecordRsvp(forum, new_id(), True), ctx())

    o.clock.current = FORUM_STARTS + timedelta(minutes=5)
    with pytest.raises(InvalidTransition, match="invitee who is INVITED"):
        await o.h.record_attendance(c.RecordAttendance(forum, cy, True), ctx())
    await o.h.record_attendance(c.RecordAttendance(forum, ana, True), ctx())
    await o.h.hold_event(c.HoldOutreachEvent(forum), ctx())
    state = await event_state(o, forum)
    assert state.status == "HELD"
    assert state.invitees == {ana: "ATTENDED", bo: "DECLINED", cy: "INVITED"}


async def test_an_invitation_carries_the_invitee_and_the_consent_valid_when_invited() -> None:
    """Whoever mails the invitation decides on what outreach knew then, even when its
    own view of the contact (another partition) lags behind."""
    o = Outreach()
    forum, jane, ana = await o.forum(), await o.contact("jane@maple.example"), await o.contact()
    for guest in (jane, ana):
        grant = c.GrantConsent(
            guest, ConsentChannel.EMAIL, ConsentPurpose.MARKETING, LegalBasis.EXPRESS, "form"
        )
        await o.h.grant_consent(grant, ctx())
    await o.h.withdraw_consent(
        c.WithdrawConsent(jane, ConsentChannel.EMAIL, ConsentPurpose.MARKETING, "unsubscribed"),
        ctx(),
    )
    for guest in (jane, ana):
        await o.h.invite_contact(c.InviteContact(forum, guest), ctx())

    jane_invited, ana_invited = [e.data["invitee"] for e in o.events(forum)[1:]]
    assert jane_invited == {"contactVersion": 3, "email": "jane@maple.example",
                            "name": "Jane Roy", "language": "fr",
                            "emailMarketing": None}  # fmt: skip
    assert ana_invited["contactVersion"] == 2
    assert ana_invited["emailMarketing"] == {"grantedAt": NOW.isoformat(), "expiresAt": None}


async def test_no_rsvp_for_a_cancelled_event_and_no_holding_before_it_starts() -> None:
    o = Outreach()
    forum, guest = await o.forum(), await o.contact()
    await o.h.invite_contact(c.InviteContact(forum, guest), ctx())
    with pytest.raises(InvalidTransition, match="cannot be held yet"):
        await o.h.hold_event(c.HoldOutreachEvent(forum), ctx())
    await o.h.cancel_event(c.CancelOutreachEvent(forum, "storm"), ctx())
    with pytest.raises(InvalidTransition, match="CANCELLED"):
        await o.h.record_rsvp(c.RecordRsvp(forum, guest, True), ctx())
    with pytest.raises(InvalidTransition, match="CANCELLED"):
        await o.h.invite_contact(c.InviteContact(forum, await o.contact()), ctx())


async def test_a_stops_dates_are_days_of_its_own_time_zone() -> None:
    """Washington is visited on 4 December, Eastern time: 20:00 that evening is already
    the 5th in UTC, and 23:00 on the 3rd is already the 4th."""
    o = Outreach()
    trip = await o.trip()

    async def schedule(starts: datetime) -> str:
        event = new_id()
        await o.h.schedule_event(
            c.ScheduleOutreachEvent(
                event,
                trip,
                1,
                "Dinner",
                OutreachEventKind.MEETING,
                starts,
                starts + timedelta(hours=2),
            ),
            ctx(),
        )
        return event

    dinner = await schedule(datetime(2025, 12, 5, 1, 0, tzinfo=UTC))  # 4 Dec, 20:00 EST
    assert o.events(dinner)[0].data["timeZone"] == "America/New_York"
    with pytest.raises(
        InvalidValue, match="Washington is visited 2025-12-04 to 2025-12-04, not on 2025-12-03"
    ):
        await schedule(datetime(2025, 12, 4, 4, 0, tzinfo=UTC))  # 3 Dec, 23:00 EST


async def test_an_event_moves_within_its_stop_and_keeps_its_invitees() -> None:
    o = Outreach()
    forum, guest = await o.forum(), await o.contact()
    await o.h.invite_contact(c.InviteContact(forum, guest), ctx())
    later = FORUM_STARTS + timedelta(days=1)
    await o.h.reschedule_event(
        c.RescheduleOutreachEvent(forum, later, later + timedelta(hours=3)), ctx()
    )
    state = await event_state(o, forum)
    assert state.starts_at == later and state.invitees == {guest: "INVITED"}
    with pytest.raises(InvalidValue, match="Toronto is visited"):
        await o.h.reschedule_event(
            c.RescheduleOutreachEvent(
                forum, later + timedelta(days=5), later + timedelta(days=5, hours=1)
            ),
            ctx(),
        )
    await o.h.cancel_event(c.CancelOutreachEvent(forum, "storm"), ctx())
    with pytest.raises(InvalidTransition, match="reschedule an event that is CANCELLED"):
        await o.h.reschedule_event(
            c.RescheduleOutreachEvent(forum, later, later + timedelta(hours=1)), ctx()
        )
