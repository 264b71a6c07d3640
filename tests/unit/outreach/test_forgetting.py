"""Forgetting a contact (GDPR art. 17): the event, the address set free, the key
destroyed, every later command about the person refused with FORGOTTEN."""

from collections.abc import Awaitable, Callable
from datetime import timedelta

import pytest
from outreach.domain.parties import contact_stream, email_stream
from outreach.forgetting import Forgetting
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.outreach import ConsentChannel as Channel
from pavilion_contracts.outreach import ConsentPurpose as Purpose
from pavilion_contracts.outreach import InterestKind, LegalBasis
from pavilion_contracts.outreach import commands as c
from pavilion_core.errors import Forgotten, NotFound
from pavilion_core.eventstore import AppendResult
from pavilion_core.forgetting import RECIPIENT
from pavilion_core.vault import pseudonym

from tests.unit.outreach.support import NOW, Outreach, ctx, new_id


class Keys:
    """Stands in for the vault: the subjects whose key was destroyed, in order, and the
    `person:` subjects it knows addresses by."""

    def __init__(self, people: dict[str, dict[str, str]] | None = None) -> None:
        self.destroyed: list[str] = []
        self.people = people or {}

    async def forget(self, subject: str) -> None:
        self.destroyed.append(subject)

    async def subjects_of(self, address: str) -> dict[str, str]:
        return self.people.get(address, {})

    async def forget_person(self, scope: str, address: str) -> str | None:
        raise AssertionError("outreach forgets people by their address, in any scope")


async def forget(o: Outreach, contact: str, keys: Keys | None = None) -> AppendResult:
    forgetting = Forgetting(o.h, keys or Keys())
    return await forgetting.forget_contact(c.ForgetContact(contact_id=contact), ctx())


async def test_forgetting_records_the_event_frees_the_address_and_destroys_the_key() -> None:
    o, keys = Outreach(), Keys({"jane@maple.example": {"person:mailed-jane": RECIPIENT}})
    jane = await o.contact("jane@maple.example")
    answer = await forget(o, jane, keys)

    assert answer.streams == {jane: 2}  # not the address's registry stream: it names her
    assert o.types(contact_stream(jane))[-1] == "ContactForgotten"
    assert o.events(contact_stream(jane))[-1].data == {
        "contactId": jane, "applicationIds": [],
        "addressPseudonyms": [pseudonym("jane@maple.example")],
    }  # fmt: skip
    assert o.types(email_stream("jane@maple.example"))[-1] == "ContactEmailReleased"
    # her address's people (a mail recipient), her record's notes, and her own key last
    assert keys.destroyed == ["person:mailed-jane", f"record:{jane}", f"contact:{jane}"]
    await o.contact("jane@maple.example")  # nothing maps the address to her any longer


async def test_the_applications_that_name_their_address_are_named_for_exhibitors() -> None:
    """Their address is a contact person's of two applications (the vault knows it by
    those scopes, and as a mail recipient's): ContactForgotten names both, never the
    address, and every key of it goes."""
    apps = sorted(new_id() for _ in range(2))
    people = {"person:a": apps[0], "person:b": apps[1], "person:mailed": RECIPIENT}
    o, keys = Outreach(), Keys({"jane@maple.example": people})
    jane = await o.contact("jane@maple.example")
    await forget(o, jane, keys)

    forgotten = o.events(contact_stream(jane))[-1].data
    assert forgotten["applicationIds"] == apps
    assert "jane@maple.example" not in str(forgotten)
    assert keys.destroyed[:3] == list(people)


async def test_forgetting_twice_appends_nothing_but_destroys_the_key_again() -> None:
    o, keys = Outreach(), Keys()
    jane = await o.contact()
    await forget(o, jane, keys)
    before = o.types(contact_stream(jane))
    await forget(o, jane, keys)
    assert o.types(contact_stream(jane)) == before
    assert keys.destroyed == [f"record:{jane}", f"contact:{jane}"] * 2


async def test_an_unknown_contact_cannot_be_forgotten_and_no_key_is_destroyed() -> None:
    o, keys = Outreach(), Keys()
    with pytest.raises(NotFound):
        await forget(o, new_id(), keys)
    assert keys.destroyed == []


async def test_a_merged_contact_is_forgotten_and_the_survivor_keeps_the_address() -> None:
    o = Outreach()
    survivor, duplicate = await o.contact("a@x.example"), await o.contact("b@x.example")
    await o.h.merge_contacts(c.MergeContacts(contact_id=duplicate, survivor_id=survivor), ctx())
    await forget(o, duplicate)
    assert o.types(contact_stream(duplicate))[-1] == "ContactForgotten"
    assert o.types(email_stream("b@x.example"))[-1] == "ContactEmailClaimed"


async def test_forgetting_a_survivor_forgets_the_contacts_merged_into_it_and_their_addresses():
    o = Outreach()
    keys = Keys({"b@x.example": {"person:mailed-b": RECIPIENT}})
    survivor, duplicate = await o.contact("a@x.example"), await o.contact("b@x.example")
    await o.h.merge_contacts(c.MergeContacts(contact_id=duplicate, survivor_id=survivor), ctx())
    answer = await forget(o, survivor, keys)

    assert answer.streams == {survivor: answer.version}
    assert o.types(contact_stream(survivor))[-1] == "ContactForgotten"
    assert o.types(contact_stream(duplicate))[-1] == "ContactForgotten"
    for address in ("a@x.example", "b@x.example"):  # nothing maps them to the person
        assert o.types(email_stream(address))[-1] == "ContactEmailReleased"
    assert keys.destroyed == [
        f"record:{survivor}", f"contact:{survivor}",
        "person:mailed-b", f"record:{duplicate}", f"contact:{duplicate}",
    ]  # fmt: skip
    await o.contact("b@x.example")  # the merged address is free again too


Command = Callable[[Outreach, str], Awaitable[object]]


async def _capture(o: Outreach, contact: str) -> object:
    org = await o.organization()
    cmd = c.CaptureInterest(
        contact_id=contact,
        kind=InterestKind.VISIT,
        edition="CISCE-2026",
        supply_chain_areas=[SupplyChainArea.CLEAN_ENERGY],
        organization_id=org,
    )
    return await o.h.capture_interest(cmd, ctx())


async def _lead(o: Outreach, contact: str) -> object:
    cmd = c.FormDelegation(name="CCPIT", organizer="CCPIT", leader_id=contact, purpose="recruit")
    return await o.h.form_delegation(cmd, ctx())


COMMANDS: dict[str, Command] = {
    "update": lambda o, x: o.h.update_contact(c.UpdateContact(contact_id=x, title="CTO"), ctx()),
    "link": lambda o, x: _link(o, x),
    "merge away": lambda o, x: _merge(o, x, into_forgotten=False),
    "merge into": lambda o, x: _merge(o, x, into_forgotten=True),
    "consent": lambda o, x: o.h.grant_consent(
        c.GrantConsent(
            contact_id=x,
            channel=Channel.EMAIL,
            purpose=Purpose.MARKETING,
            legal_basis=LegalBasis.EXPRESS,
            evidence="form",
        ),
        ctx(),
    ),
    "note": lambda o, x: o.h.add_note(c.AddContactNote(record_id=x, text="called"), ctx()),
    "interest": _capture,
    "lead a delegation": _lead,
    "follow up": lambda o, x: o.h.schedule_follow_up(
        c.ScheduleFollowUp(subject_id=x, owner="li@ccpit", due_at=NOW + timedelta(days=1)), ctx()
    ),
}


async def _link(o: Outreach, contact: str) -> object:
    return await o.h.link_contact(
        c.LinkContact(contact_id=contact, organization_id=await o.organization()), ctx()
    )


async def _merge(o: Outreach, contact: str, into_forgotten: bool) -> object:
    other = await o.contact()
    merged, survivor = (other, contact) if into_forgotten else (contact, other)
    return await o.h.merge_contacts(c.MergeContacts(contact_id=merged, survivor_id=survivor), ctx())


@pytest.mark.parametrize("command", COMMANDS.values(), ids=COMMANDS.keys())
async def test_every_command_about_a_forgotten_contact_is_refused(command: Command) -> None:
    o = Outreach()
    jane = await o.contact()
    await forget(o, jane)
    with pytest.raises(Forgotten) as refused:
        await command(o, jane)
    assert refused.value.code == "FORGOTTEN" and refused.value.status == 410


async def test_no_invitation_rsvp_attendance_membership_or_conversion_for_the_forgotten() -> None:
    o = Outreach()
    forum, jane, ana = await o.forum(), await o.contact(), await o.contact()
    await o.h.invite_contact(c.InviteContact(event_id=forum, contact_id=jane), ctx())
    delegation = await o.created(
        o.h.form_delegation,
        c.FormDelegation(name="D", organizer="CCPIT", leader_id=ana, purpose="p"),
    )
    interest, lead, _ = await o.interest(InterestKind.EXHIBIT)
    await o.change_interest(interest, "qualify")
    for person in (jane, lead):
        await forget(o, person)

    refused = [
        o.h.invite_contact(c.InviteContact(event_id=await o.forum(), contact_id=jane), ctx()),
        o.h.record_rsvp(c.RecordRsvp(event_id=forum, contact_id=jane, accept=True), ctx()),
        o.h.record_attendance(
            c.RecordAttendance(event_id=forum, contact_id=jane, attended=True), ctx()
        ),
        o.h.change_delegation_member(
            c.AddDelegationMember(delegation_id=delegation, contact_id=jane), ctx()
        ),
        o.change_interest(interest, "convert"),
    ]
    for attempt in refused:
        with pytest.raises(Forgotten):
            await attempt


async def test_an_application_naming_a_forgotten_contacts_interest_only_links_it() -> None:
    o = Outreach()
    interest, lead, _ = await o.interest(InterestKind.EXHIBIT)
    await forget(o, lead)
    await o.h.application_submitted(interest, new_id(), ctx())
    assert o.types(interest)[-1] == "InterestApplicationLinked"


async def _follow_up(o: Outreach, subject: str, note: str | None = None) -> str:
    cmd = c.ScheduleFollowUp(
        subject_id=subject, owner="li@ccpit", due_at=NOW + timedelta(days=1), note=note
    )
    return await o.created(o.h.schedule_follow_up, cmd)


async def _note(o: Outreach, kind: type[c.AddNote], record: str, text: str) -> str:
    return await o.created(o.h.add_note, kind(record_id=record, text=text))


async def test_text_about_a_contact_names_them_so_their_key_seals_it() -> None:
    """A note on their lead, its loss, follow-ups on them or on it, and how those ended
    carry the contact they are about (schemas/events: sealed with the contact's key,
    so forgetting them erases the text); a note on an organization names nobody."""
    o = Outreach()
    interest, lead, org = await o.interest(InterestKind.EXHIBIT)
    on_lead, on_them = await _follow_up(o, interest, "call Jane"), await _follow_up(o, lead)
    await _note(o, c.AddInterestNote, interest, "Jane, cell 555")
    await _note(o, c.AddOrganizationNote, org, "HQ moved")
    await o.change_interest(interest, "lose", reason="Jane left")
    done = c.CompleteFollowUp(follow_up_id=on_lead, outcome="spoke")
    await o.h.change_follow_up(done, ctx())
    await o.h.change_follow_up(c.CancelFollowUp(follow_up_id=on_them, reason="moot"), ctx())

    about = {
        e.type: e.data["contactId"]
        for stream in (interest, on_lead, on_them)
        for e in o.events(stream)
        if "contactId" in e.data and e.type != "InterestCaptured"
    }
    assert about == {
        "NoteAdded": lead, "InterestLost": lead, "FollowUpScheduled": lead,
        "FollowUpCompleted": lead, "FollowUpCancelled": lead,
    }  # fmt: skip
    assert o.events(org)[-1].data["contactId"] is None


async def _their_interest(o: Outreach) -> tuple[str, str, str]:
    """A forgotten contact's interest and a follow-up on it scheduled before; the contact."""
    interest, lead, _ = await o.interest(InterestKind.EXHIBIT)
    follow_up = await _follow_up(o, interest)
    await forget(o, lead)
    return interest, follow_up, lead


TEXT_ABOUT_THEM: dict[str, Callable[[Outreach, str, str], Awaitable[object]]] = {
    "note on their interest": lambda o, i, f: _note(o, c.AddInterestNote, i, "still keen"),
    "lose their interest": lambda o, i, f: o.change_interest(i, "lose", reason="went quiet"),
    "follow up their interest": lambda o, i, f: _follow_up(o, i),
    "complete a follow-up on it": lambda o, i, f: o.h.change_follow_up(
        c.CompleteFollowUp(follow_up_id=f, outcome="spoke to her"), ctx()
    ),
    "cancel a follow-up on it": lambda o, i, f: o.h.change_follow_up(
        c.CancelFollowUp(follow_up_id=f, reason="she left"), ctx()
    ),
}


@pytest.mark.parametrize("command", TEXT_ABOUT_THEM.values(), ids=TEXT_ABOUT_THEM.keys())
async def test_no_new_text_about_a_forgotten_contact_through_their_records(
    command: Callable[[Outreach, str, str], Awaitable[object]],
) -> None:
    o = Outreach()
    interest, follow_up, _ = await _their_interest(o)
    before = (o.types(interest), o.types(follow_up))
    with pytest.raises(Forgotten) as refused:
        await command(o, interest, follow_up)
    assert refused.value.code == "FORGOTTEN"
    assert (o.types(interest), o.types(follow_up)) == before


async def test_their_follow_up_may_still_be_rescheduled_and_their_interest_qualified() -> None:
    """What records no text about them is not refused."""
    o = Outreach()
    interest, follow_up, _ = await _their_interest(o)
    later = c.RescheduleFollowUp(follow_up_id=follow_up, due_at=NOW + timedelta(days=9))
    await o.h.change_follow_up(later, ctx())
    await o.change_interest(interest, "qualify")
    assert o.types(follow_up)[-1] == "FollowUpRescheduled"
    assert o.types(interest)[-1] == "InterestQualified"
