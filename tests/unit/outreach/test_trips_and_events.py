"""Delegations, trips and outreach events with their invitees, as stories."""

from datetime import UTC, date, datetime, timedelta

import pytest
from outreach.domain.gatherings import OutreachEvent, outreach_event_stream
from outreach.domain.travel import Trip, trip_stream
from pavilion_contracts.outreach import (
    ConsentChannel,
    ConsentPurpose,
    LegalBasis,
    OutreachEventKind,
)
from pavilion_contracts.outreach import commands as c
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound

from tests.unit.outreach.support import FORUM_STARTS, NOW, Outreach, ctx, new_id, stop


def reschedule_stop(trip: str, index: int) -> c.RescheduleTripStop:
    return c.RescheduleTripStop(
        trip_id=trip, stop_index=index, starts_on=date(2025, 12, 3), ends_on=date(2025, 12, 3)
    )


async def event_state(o: Outreach, event_id: str) -> OutreachEvent:
    return OutreachEvent(event_id).replay(o.events(outreach_event_stream(event_id)))


async def test_a_trip_runs_planned_in_progress_completed_and_refuses_the_rest() -> None:
    o = Outreach()
    trip = await o.trip()
    await o.h.add_trip_stop(
        c.AddTripStop(
            trip_id=trip, **stop("Chicago", "US", date(2025, 12, 6), date(2025, 12, 7)).model_dump()
        ),
        ctx(),
    )
    await o.h.reschedule_trip_stop(reschedule_stop(trip, 1), ctx())
    with pytest.raises(InvalidValue, match="no stop 9"):
        await o.h.reschedule_trip_stop(reschedule_stop(trip, 9), ctx())
    with pytest.raises(InvalidValue, match="before it starts"):
        await o.h.add_trip_stop(
            c.AddTripStop(
                trip_id=trip, **stop("X", "US", date(2025, 12, 9), date(2025, 12, 8)).model_dump()
            ),
            ctx(),
        )
    with pytest.raises(InvalidTransition, match="complete a trip that is PLANNED"):
        await o.change_trip(trip, "complete")
    await o.change_trip(trip, "start")
    await o.change_trip(trip, "complete")
    with pytest.raises(InvalidTransition, match="COMPLETED"):
        await o.change_trip(trip, "cancel", reason="x")
    state = Trip(trip).replay(o.events(trip_stream(trip)))
    assert state.status == "COMPLETED" and len(state.stops) == 4
    assert state.stops[1].starts_on == date(2025, 12, 3)


async def test_a_cancelled_trip_takes_no_events_and_events_fall_within_their_stop() -> None:
    o = Outreach()
    trip = await o.trip()
    with pytest.raises(InvalidValue, match="Toronto is visited"):
        await o.h.schedule_event(
            c.ScheduleOutreachEvent(
                trip_id=trip,
                stop_index=0,
                name="Too late",
                kind=OutreachEventKind.SPEECH,
                starts_at=FORUM_STARTS + timedelta(days=9),
                ends_at=FORUM_STARTS + timedelta(days=9, hours=1),
            ),
            ctx(),
        )
    await o.change_trip(trip, "cancel", reason="visa")
    with pytest.raises(InvalidTransition, match="CANCELLED"):
        await o.h.schedule_event(
            c.ScheduleOutreachEvent(
                trip_id=trip,
                stop_index=0,
                name="Forum",
                kind=OutreachEventKind.FORUM,
                starts_at=FORUM_STARTS,
                ends_at=FORUM_STARTS + timedelta(hours=2),
            ),
            ctx(),
        )


async def test_delegation_members() -> None:
    o = Outreach()
    leader, member = await o.contact(), await o.contact()
    delegation = await o.created(
        o.h.form_delegation,
        c.FormDelegation(name="D", organizer="CCPIT", leader_id=leader, purpose="p"),
    )
    await o.h.change_delegation_member(
        c.AddDelegationMember(delegation_id=delegation, contact_id=member), ctx()
    )
    with pytest.raises(Duplicate):
        await o.h.change_delegation_member(
            c.AddDelegationMember(delegation_id=delegation, contact_id=member), ctx()
        )
    await o.h.change_delegation_member(
        c.RemoveDelegationMember(delegation_id=delegation, contact_id=member), ctx()
    )
    with pytest.raises(NotFound):
        await o.h.change_delegation_member(
            c.RemoveDelegationMember(delegation_id=delegation, contact_id=member), ctx()
        )


async def test_invitations_rsvps_and_attendance_follow_the_invitee_rules() -> None:
    o = Outreach()
    forum = await o.forum(capacity=1)
    ana, bo, cy = await o.contact(), await o.contact(), await o.contact()
    for guest in (ana, bo, cy):
        await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=guest), ctx())
    with pytest.raises(Duplicate):
        await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=ana), ctx())
    with pytest.raises(InvalidTransition, match="it cannot be attended yet"):
        await o.h.record_attendance(
            c.RecordAttendance(event_id=forum, contact_id=ana, attended=True), ctx()
        )

    await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=ana, accept=True), ctx())
    with pytest.raises(InvalidTransition, match="is full"):
        await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=bo, accept=True), ctx())
    await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=bo, accept=False), ctx())
    with pytest.raises(InvalidTransition, match="invitee who is DECLINED"):
        await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=bo, accept=True), ctx())
    with pytest.raises(NotFound):
        await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=new_id(), accept=True), ctx())

    o.clock.current = FORUM_STARTS + timedelta(minutes=5)
    with pytest.raises(InvalidTransition, match="invitee who is INVITED"):
        await o.h.record_attendance(
            c.RecordAttendance(event_id=forum, contact_id=cy, attended=True), ctx()
        )
    await o.h.record_attendance(
        c.RecordAttendance(event_id=forum, contact_id=ana, attended=True), ctx()
    )
    await o.h.hold_event(c.HoldOutreachEvent(event_id=forum), ctx())
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
            contact_id=guest,
            channel=ConsentChannel.EMAIL,
            purpose=ConsentPurpose.MARKETING,
            legal_basis=LegalBasis.EXPRESS,
            evidence="form",
        )
        await o.h.grant_consent(grant, ctx())
    await o.h.withdraw_consent(
        c.WithdrawConsent(
            contact_id=jane,
            channel=ConsentChannel.EMAIL,
            purpose=ConsentPurpose.MARKETING,
            reason="unsubscribed",
        ),
        ctx(),
    )
    for guest in (jane, ana):
        await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=guest), ctx())

    jane_invited, ana_invited = [e.data["invitee"] for e in o.events(forum)[1:]]
    assert jane_invited == {"contactVersion": 3, "email": "jane@maple.example",
                            "name": "Jane Roy", "language": "fr",
                            "emailMarketing": None}  # fmt: skip
    assert ana_invited["contactVersion"] == 2
    assert ana_invited["emailMarketing"] == {"grantedAt": NOW.isoformat(), "expiresAt": None}


async def test_no_rsvp_for_a_cancelled_event_and_no_holding_before_it_starts() -> None:
    o = Outreach()
    forum, guest = await o.forum(), await o.contact()
    await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=guest), ctx())
    with pytest.raises(InvalidTransition, match="cannot be held yet"):
        await o.h.hold_event(c.HoldOutreachEvent(event_id=forum), ctx())
    await o.h.cancel_event(c.CancelOutreachEvent(event_id=forum, reason="storm"), ctx())
    with pytest.raises(InvalidTransition, match="CANCELLED"):
        await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=guest, accept=True), ctx())
    with pytest.raises(InvalidTransition, match="CANCELLED"):
        await o.h.invite_contact(
            c.InviteContact(event_id=forum, contact_id=await o.contact()), ctx()
        )


async def test_a_stops_dates_are_days_of_its_own_time_zone() -> None:
    """Washington is visited on 4 December, Eastern time: 20:00 that evening is already
    the 5th in UTC, and 23:00 on the 3rd is already the 4th."""
    o = Outreach()
    trip = await o.trip()

    async def schedule(starts: datetime) -> str:
        return await o.created(
            o.h.schedule_event,
            c.ScheduleOutreachEvent(
                trip_id=trip,
                stop_index=1,
                name="Dinner",
                kind=OutreachEventKind.MEETING,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
            ),
        )

    dinner = await schedule(datetime(2025, 12, 5, 1, 0, tzinfo=UTC))  # 4 Dec, 20:00 EST
    assert o.events(dinner)[0].data["timeZone"] == "America/New_York"
    with pytest.raises(
        InvalidValue, match="Washington is visited 2025-12-04 to 2025-12-04, not on 2025-12-03"
    ):
        await schedule(datetime(2025, 12, 4, 4, 0, tzinfo=UTC))  # 3 Dec, 23:00 EST


async def test_an_event_moves_within_its_stop_and_keeps_its_invitees() -> None:
    o = Outreach()
    forum, guest = await o.forum(), await o.contact()
    await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=guest), ctx())
    later = FORUM_STARTS + timedelta(days=1)
    await o.h.reschedule_event(
        c.RescheduleOutreachEvent(
            event_id=forum, starts_at=later, ends_at=later + timedelta(hours=3)
        ),
        ctx(),
    )
    state = await event_state(o, forum)
    assert state.starts_at == later and state.invitees == {guest: "INVITED"}
    with pytest.raises(InvalidValue, match="Toronto is visited"):
        await o.h.reschedule_event(
            c.RescheduleOutreachEvent(
                event_id=forum,
                starts_at=later + timedelta(days=5),
                ends_at=later + timedelta(days=5, hours=1),
            ),
            ctx(),
        )
    await o.h.cancel_event(c.CancelOutreachEvent(event_id=forum, reason="storm"), ctx())
    with pytest.raises(InvalidTransition, match="reschedule an event that is CANCELLED"):
        await o.h.reschedule_event(
            c.RescheduleOutreachEvent(
                event_id=forum, starts_at=later, ends_at=later + timedelta(hours=1)
            ),
            ctx(),
        )
