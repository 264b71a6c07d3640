"""Every event the outreach stories produce matches its JSON Schema in schemas/, and
every schema there is produced by some story."""

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
from outreach import commands as c
from outreach.domain.travel import Stop
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose, ImpliedBy, LegalBasis

from tests.unit.outreach.support import FORUM_STARTS, Outreach, ctx, new_id

SCHEMAS = Path(__file__).parents[3] / "schemas/events/outreach"


async def test_every_event_matches_its_schema_and_every_schema_is_used() -> None:
    o = Outreach()
    forum = await o.forum(capacity=10)
    trip = o.events(forum)[0].data["tripId"]
    await o.h.add_trip_stop(
        c.AddTripStop(trip, Stop("Ottawa", "CA", date(2025, 12, 3), date(2025, 12, 3))), ctx()
    )
    await o.h.reschedule_trip_stop(
        c.RescheduleTripStop(trip, 3, date(2025, 12, 3), date(2025, 12, 4)), ctx()
    )
    interest, contact, org = await o.interest()
    other_org = await o.organization("Maple Robotics Inc")
    await o.h.update_organization(c.UpdateOrganization(org, website="https://maple.example"), ctx())
    await o.h.merge_organizations(c.MergeOrganizations(other_org, org), ctx())
    await o.h.update_contact(
        c.UpdateContact(
            contact, c.ContactProfile(email="jane@maple.example", phone="+14165550100")
        ),
        ctx(),
    )
    twin = await o.contact("twin@maple.example")
    await o.h.link_contact(c.LinkContact(twin, org), ctx())
    await o.h.merge_contacts(c.MergeContacts(twin, contact), ctx())
    await o.h.grant_consent(
        c.GrantConsent(
            contact,
            ConsentChannel.EMAIL,
            ConsentPurpose.MARKETING,
            LegalBasis.IMPLIED,
            "forum",
            ImpliedBy.INQUIRY,
            date(2025, 11, 1),
        ),
        ctx(),
    )
    await o.h.withdraw_consent(
        c.WithdrawConsent(contact, ConsentChannel.EMAIL, ConsentPurpose.MARKETING, "unsubscribed"),
        ctx(),
    )
    delegation = o.events(trip)[0].data["delegationId"]
    await o.h.change_delegation_member(c.ChangeDelegationMember(delegation, contact, True), ctx())
    await o.h.change_delegation_member(c.ChangeDelegationMember(delegation, contact, False), ctx())
    await o.h.reschedule_event(
        c.RescheduleOutreachEvent(forum, FORUM_STARTS, FORUM_STARTS + timedelta(hours=5)), ctx()
    )
    guests = [await o.contact() for _ in range(3)]
    for guest in guests:
        await o.h.invite_contact(c.InviteContact(forum, guest), ctx())
    await o.h.record_rsvp(c.RecordRsvp(forum, guests[0], True), ctx())
    await o.h.record_rsvp(c.RecordRsvp(forum, guests[1], True), ctx())
    await o.h.record_rsvp(c.RecordRsvp(forum, guests[2], False), ctx())
    o.clock.current = FORUM_STARTS + timedelta(hours=1)
    await o.h.record_attendance(c.RecordAttendance(forum, guests[0], True), ctx())
    await o.h.record_attendance(c.RecordAttendance(forum, guests[1], False), ctx())
    await o.h.hold_event(c.HoldOutreachEvent(forum), ctx())
    await o.h.add_note(c.AddNote("event", forum, new_id(), "Full house"), ctx())
    for action in ("qualify", "nurture"):
        await o.h.change_interest(c.ChangeInterest(interest, action), ctx())
    await o.h.change_interest(c.ChangeInterest(interest, "assign", owner="li@ccpit"), ctx())
    await o.h.change_interest(c.ChangeInterest(interest, "convert"), ctx())
    await o.h.application_submitted(interest, new_id(), ctx())
    refused, _, _ = await o.interest()
    for action in ("qualify", "convert"):
        await o.h.change_interest(c.ChangeInterest(refused, action), ctx())
    await o.h.conversion_refused(refused, 3, ("INVALID_TRANSITION", "CISCE-2026 opened"), ctx())
    lost, _, _ = await o.interest()
    await o.h.change_interest(c.ChangeInterest(lost, "lose", reason="no budget"), ctx())
    cancelled_event = await o.forum()
    await o.h.cancel_event(c.CancelOutreachEvent(cancelled_event, "storm"), ctx())
    for action in ("start", "complete"):
        await o.h.change_trip_status(c.ChangeTripStatus(trip, action), ctx())
    other_trip = o.events(cancelled_event)[0].data["tripId"]
    await o.h.change_trip_status(c.ChangeTripStatus(other_trip, "cancel", "visa"), ctx())
    tasks = [new_id(), new_id()]
    for task in tasks:
        await o.h.schedule_follow_up(
            c.ScheduleFollowUp(task, interest, "li@ccpit", o.clock.now() + timedelta(hours=1)),
            ctx(),
        )
    await o.h.change_follow_up(
        c.ChangeFollowUp(tasks[0], "reschedule", due_at=o.clock.now() + timedelta(minutes=5)), ctx()
    )
    o.clock.advance(timedelta(days=1))
    await o.h.announce_overdue(tasks[0], ctx())
    await o.h.forget_contact(c.ForgetContact(guests[2]), ctx())
    await o.h.change_follow_up(c.ChangeFollowUp(tasks[0], "complete", text="signed"), ctx())
    await o.h.change_follow_up(c.ChangeFollowUp(tasks[1], "cancel", text="duplicate"), ctx())

    seen = set()
    for event in o.store.all_events():
        schema = json.loads((SCHEMAS / f"{event.type}.v1.schema.json").read_text())
        jsonschema.validate(event.data, schema, format_checker=jsonschema.FormatChecker())
        seen.add(event.type)
    assert seen == {p.name.split(".")[0] for p in SCHEMAS.glob("*.schema.json")}
