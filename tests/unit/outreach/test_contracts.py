"""Every event the outreach stories produce matches its JSON Schema in schemas/, and
every schema there is produced by some story."""

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest
from outreach.forgetting import Forgetting
from outreach.handlers import registry
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose, ImpliedBy, LegalBasis
from pavilion_contracts.outreach import commands as c

from tests.unit.outreach.support import FORUM_STARTS, Outreach, ctx, new_id, stop

SCHEMAS = Path(__file__).parents[3] / "schemas/events/outreach"


async def test_every_event_matches_its_schema_and_every_schema_is_used() -> None:
    o = Outreach()
    forum = await o.forum(capacity=10)
    trip = o.events(forum)[0].data["tripId"]
    await o.h.add_trip_stop(
        c.AddTripStop(
            trip_id=trip, **stop("Ottawa", "CA", date(2025, 12, 3), date(2025, 12, 3)).model_dump()
        ),
        ctx(),
    )
    await o.h.reschedule_trip_stop(
        c.RescheduleTripStop(
            trip_id=trip, stop_index=3, starts_on=date(2025, 12, 3), ends_on=date(2025, 12, 4)
        ),
        ctx(),
    )
    interest, contact, org = await o.interest()
    other_org = await o.organization("Maple Robotics Inc")
    await o.h.update_organization(
        c.UpdateOrganization(organization_id=org, website="https://maple.example"), ctx()
    )
    await o.h.merge_organizations(
        c.MergeOrganizations(organization_id=other_org, survivor_id=org), ctx()
    )
    await o.h.update_contact(
        c.UpdateContact(contact_id=contact, email="jane@maple.example", phone="+14165550100"),
        ctx(),
    )
    twin = await o.contact("twin@maple.example")
    await o.h.link_contact(c.LinkContact(contact_id=twin, organization_id=org), ctx())
    await o.h.merge_contacts(c.MergeContacts(contact_id=twin, survivor_id=contact), ctx())
    await o.h.grant_consent(
        c.GrantConsent(
            contact_id=contact,
            channel=ConsentChannel.EMAIL,
            purpose=ConsentPurpose.MARKETING,
            legal_basis=LegalBasis.IMPLIED,
            evidence="forum",
            implied_by=ImpliedBy.INQUIRY,
            implied_since=date(2025, 11, 1),
        ),
        ctx(),
    )
    await o.h.withdraw_consent(
        c.WithdrawConsent(
            contact_id=contact,
            channel=ConsentChannel.EMAIL,
            purpose=ConsentPurpose.MARKETING,
            reason="unsubscribed",
        ),
        ctx(),
    )
    delegation = o.events(trip)[0].data["delegationId"]
    member = {"delegation_id": delegation, "contact_id": contact}
    await o.h.change_delegation_member(c.AddDelegationMember(**member), ctx())
    await o.h.change_delegation_member(c.RemoveDelegationMember(**member), ctx())
    await o.h.reschedule_event(
        c.RescheduleOutreachEvent(
            event_id=forum, starts_at=FORUM_STARTS, ends_at=FORUM_STARTS + timedelta(hours=5)
        ),
        ctx(),
    )
    guests = [await o.contact() for _ in range(3)]
    for guest in guests:
        await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=guest), ctx())
    await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=guests[0], accept=True), ctx())
    await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=guests[1], accept=True), ctx())
    await o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=guests[2], accept=False), ctx())
    o.clock.current = FORUM_STARTS + timedelta(hours=1)
    await o.h.record_attendance(
        c.RecordAttendance(event_id=forum, contact_id=guests[0], attended=True), ctx()
    )
    await o.h.record_attendance(
        c.RecordAttendance(event_id=forum, contact_id=guests[1], attended=False), ctx()
    )
    await o.h.hold_event(c.HoldOutreachEvent(event_id=forum), ctx())
    await o.h.add_note(c.AddOutreachEventNote(record_id=forum, text="Full house"), ctx())
    for action in ("qualify", "nurture"):
        await o.change_interest(interest, action)
    await o.change_interest(interest, "assign", owner="li@ccpit")
    await o.change_interest(interest, "convert")
    await o.h.application_submitted(interest, new_id(), ctx())
    refused, _, _ = await o.interest()
    for action in ("qualify", "convert"):
        await o.change_interest(refused, action)
    await o.h.conversion_refused(refused, 3, ("INVALID_TRANSITION", "CISCE-2026 opened"), ctx())
    lost, _, _ = await o.interest()
    await o.change_interest(lost, "lose", reason="no budget")
    cancelled_event = await o.forum()
    await o.h.cancel_event(c.CancelOutreachEvent(event_id=cancelled_event, reason="storm"), ctx())
    for action in ("start", "complete"):
        await o.change_trip(trip, action)
    other_trip = o.events(cancelled_event)[0].data["tripId"]
    await o.change_trip(other_trip, "cancel", reason="visa")
    due = o.clock.now() + timedelta(hours=1)
    follow_up = c.ScheduleFollowUp(subject_id=interest, owner="li@ccpit", due_at=due)
    tasks = [await o.created(o.h.schedule_follow_up, follow_up) for _ in range(2)]
    await o.h.change_follow_up(
        c.RescheduleFollowUp(follow_up_id=tasks[0], due_at=o.clock.now() + timedelta(minutes=5)),
        ctx(),
    )
    o.clock.advance(timedelta(days=1))
    await o.h.announce_overdue(tasks[0], ctx())
    await o.h.forget_contact(guests[2], ctx())
    await o.h.change_follow_up(c.CompleteFollowUp(follow_up_id=tasks[0], outcome="signed"), ctx())
    await o.h.change_follow_up(c.CancelFollowUp(follow_up_id=tasks[1], reason="duplicate"), ctx())

    seen = set()
    for event in o.store.all_events():
        schema = json.loads((SCHEMAS / f"{event.type}.v1.schema.json").read_text())
        jsonschema.validate(event.data, schema, format_checker=jsonschema.FormatChecker())
        seen.add(event.type)
    assert seen == {p.name.split(".")[0] for p in SCHEMAS.glob("*.schema.json")}


def test_every_command_of_the_contract_has_its_handler() -> None:
    """What the service's start checks (bootstrap): the handlers and the forgetting
    between them take every command of the contract, and only those."""
    o = Outreach()
    forgetting = Forgetting(o.h, keys=object())  # type: ignore[arg-type]
    assert set(registry.bind(o.h, forgetting)) == set(c.COMMANDS.commands)
    with pytest.raises(TypeError, match="forget_contact"):
        registry.bind(o.h)
