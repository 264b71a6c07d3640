"""Organizations, contacts, email uniqueness, merges and consent, as stories."""

from datetime import date, timedelta

import pytest
from outreach.domain.errors import Merged
from outreach.domain.parties import Contact, contact_stream, email_stream
from outreach.domain.values import implied_expiry
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose, ImpliedBy, LegalBasis
from pavilion_contracts.outreach import commands as c
from pavilion_core.errors import Duplicate, InvalidValue, NotFound

from tests.unit.outreach.support import NOW, Outreach, ctx, new_id


def withdraw(contact: str, reason: str) -> c.WithdrawConsent:
    return c.WithdrawConsent(
        contact_id=contact,
        channel=ConsentChannel.EMAIL,
        purpose=ConsentPurpose.MARKETING,
        reason=reason,
    )


async def contact_state(o: Outreach, contact_id: str) -> Contact:
    return Contact(contact_id).replay(o.events(contact_stream(contact_id)))


async def test_a_second_contact_with_the_same_email_is_refused_naming_the_first() -> None:
    o = Outreach()
    first = await o.contact("jane@maple.example")
    with pytest.raises(Duplicate) as refused:
        await o.contact("jane@maple.example")
    assert refused.value.existing_id == first and first in str(refused.value)
    assert o.types(email_stream("jane@maple.example")) == ["ContactEmailClaimed"]


async def test_changing_an_email_frees_the_old_one_and_claims_the_new() -> None:
    o = Outreach()
    jane = await o.contact("jane@old.example")
    await o.h.update_contact(c.UpdateContact(contact_id=jane, email="jane@new.example"), ctx())
    await o.contact("jane@old.example")  # free again
    with pytest.raises(Duplicate):
        await o.contact("jane@new.example")


async def test_a_contact_links_only_to_an_existing_organization() -> None:
    o = Outreach()
    jane = await o.contact()
    with pytest.raises(NotFound):
        await o.h.link_contact(c.LinkContact(contact_id=jane, organization_id=new_id()), ctx())
    org = await o.organization()
    await o.h.link_contact(c.LinkContact(contact_id=jane, organization_id=org), ctx())
    assert (await contact_state(o, jane)).organization_id == org


async def test_merging_keeps_both_histories_and_redirects_to_the_survivor() -> None:
    o = Outreach()
    survivor, duplicate = (
        await o.contact("j.roy@maple.example"),
        await o.contact("jane@maple.example"),
    )
    await o.h.merge_contacts(c.MergeContacts(contact_id=duplicate, survivor_id=survivor), ctx())

    assert o.types(contact_stream(duplicate))[-1] == "ContactMerged"
    assert (await contact_state(o, survivor)).merged_from == [duplicate]
    with pytest.raises(Merged) as redirected:
        await o.h.update_contact(c.UpdateContact(contact_id=duplicate, title="CTO"), ctx())
    assert redirected.value.survivor_id == survivor and redirected.value.code == "MERGED"
    with pytest.raises(Duplicate) as taken:  # the merged address now points at the survivor
        await o.contact("jane@maple.example")
    assert taken.value.existing_id == survivor
    with pytest.raises(Merged):
        await o.h.merge_contacts(c.MergeContacts(contact_id=survivor, survivor_id=duplicate), ctx())


async def test_organizations_merge_the_same_way() -> None:
    o = Outreach()
    survivor, duplicate = (
        await o.organization("Maple Robotics"),
        await o.organization("Maple Robotics Inc"),
    )
    await o.h.merge_organizations(
        c.MergeOrganizations(organization_id=duplicate, survivor_id=survivor), ctx()
    )
    with pytest.raises(Merged):
        await o.h.update_organization(
            c.UpdateOrganization(organization_id=duplicate, name="X"), ctx()
        )
    with pytest.raises(Merged):
        await o.contact(organization_id=duplicate)


async def test_express_consent_lasts_until_withdrawn() -> None:
    o = Outreach()
    jane = await o.contact()
    await o.h.grant_consent(
        c.GrantConsent(
            contact_id=jane,
            channel=ConsentChannel.EMAIL,
            purpose=ConsentPurpose.MARKETING,
            legal_basis=LegalBasis.EXPRESS,
            evidence="form 2025-11-20",
        ),
        ctx(),
    )
    state = await contact_state(o, jane)
    assert state.may_contact(
        ConsentChannel.EMAIL, ConsentPurpose.MARKETING, NOW + timedelta(days=3650)
    )
    assert not state.may_contact(ConsentChannel.SMS, ConsentPurpose.MARKETING, NOW)

    await o.h.withdraw_consent(
        withdraw(jane, "unsubscribed"),
        ctx(),
    )
    assert not (await contact_state(o, jane)).may_contact(
        ConsentChannel.EMAIL, ConsentPurpose.MARKETING, NOW
    )
    with pytest.raises(Exception, match="no EMAIL MARKETING consent"):
        await o.h.withdraw_consent(withdraw(jane, "again"), ctx())


@pytest.mark.parametrize(
    ("implied_by", "since", "last_valid", "first_invalid"),
    [
        (ImpliedBy.BUSINESS_RELATIONSHIP, date(2025, 6, 1), date(2027, 6, 1), date(2027, 6, 2)),
        (ImpliedBy.INQUIRY, date(2025, 10, 31), date(2026, 4, 30), date(2026, 5, 1)),
    ],
)
async def test_implied_consent_expires_per_casl_and_then_counts_as_none(
    implied_by: ImpliedBy, since: date, last_valid: date, first_invalid: date
) -> None:
    o = Outreach()
    jane = await o.contact()
    await o.h.grant_consent(
        c.GrantConsent(
            contact_id=jane,
            channel=ConsentChannel.EMAIL,
            purpose=ConsentPurpose.MARKETING,
            legal_basis=LegalBasis.IMPLIED,
            evidence="met at forum",
            implied_by=implied_by,
            implied_since=since,
        ),
        ctx(),
    )
    state = await contact_state(o, jane)
    assert implied_expiry(implied_by, since) == last_valid
    at = lambda d: NOW.replace(year=d.year, month=d.month, day=d.day, hour=23)  # noqa: E731
    assert state.may_contact(ConsentChannel.EMAIL, ConsentPurpose.MARKETING, at(last_valid))
    assert not state.may_contact(ConsentChannel.EMAIL, ConsentPurpose.MARKETING, at(first_invalid))


async def test_implied_consent_needs_its_reason_and_must_not_be_expired_already() -> None:
    o = Outreach()
    jane = await o.contact()
    with pytest.raises(InvalidValue, match="impliedBy"):
        await o.h.grant_consent(
            c.GrantConsent(
                contact_id=jane,
                channel=ConsentChannel.EMAIL,
                purpose=ConsentPurpose.MARKETING,
                legal_basis=LegalBasis.IMPLIED,
                evidence="x",
            ),
            ctx(),
        )
    with pytest.raises(InvalidValue, match="already expired"):
        await o.h.grant_consent(
            c.GrantConsent(
                contact_id=jane,
                channel=ConsentChannel.EMAIL,
                purpose=ConsentPurpose.MARKETING,
                legal_basis=LegalBasis.IMPLIED,
                evidence="x",
                implied_by=ImpliedBy.INQUIRY,
                implied_since=date(2025, 1, 1),
            ),
            ctx(),
        )


async def test_notes_go_on_the_subject() -> None:
    o = Outreach()
    org = await o.organization()
    await o.h.add_note(c.AddOrganizationNote(record_id=org, text="Met the CEO in Toronto"), ctx())
    assert o.types(org) == ["OrganizationRegistered", "NoteAdded"]
    with pytest.raises(NotFound):
        await o.h.add_note(c.AddContactNote(record_id=new_id(), text="?"), ctx())


async def test_the_service_keeps_addresses_in_lower_case_and_phones_in_e164() -> None:
    """A phone without a prefix is read in the country the update names, else in the
    contact's own (Canada here)."""
    o = Outreach()
    jane = await o.contact("Jane.Roy@Maple.example")
    await o.h.update_contact(c.UpdateContact(contact_id=jane, phone="(416) 555-0123"), ctx())
    state = await contact_state(o, jane)
    assert (state.email, state.phone) == ("jane.roy@maple.example", "+14165550123")
    await o.h.update_contact(
        c.UpdateContact(contact_id=jane, phone="020 7946 0958", country="GB"), ctx()
    )
    assert (await contact_state(o, jane)).phone == "+442079460958"
    with pytest.raises(InvalidValue) as refused:
        await o.h.update_contact(c.UpdateContact(contact_id=jane, phone="12"), ctx())
    assert refused.value.field == "phone"
