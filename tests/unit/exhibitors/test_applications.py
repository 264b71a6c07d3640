"""Exhibitor applications as stories: given events, when a command, then events or an error."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import jsonschema
import pytest
from exhibitors.commands import RefuseConversion
from exhibitors.domain.application import application_id
from exhibitors.domain.floorplan import floor_plan_id
from exhibitors.domain.waitlist import waitlist_id
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound
from pavilion_core.eventstore import WrongExpectedVersion

from tests.unit.exhibitors.support import CONTRACT, EDITION, Expo, S, ctx

SCHEMAS = Path(__file__).parents[3] / "schemas/events/exhibitors"


def submit(company: str = "Maple Robotics Inc.", **kw: object) -> c.SubmitApplication:
    fields: dict[str, object] = {
        "edition": EDITION,
        "company_name": company,
        "country": "CA",
        "supply_chain_areas": (SupplyChainArea.ADVANCED_MANUFACTURING,),
        "product_categories": ("industrial robots",),
        "contacts": [c.ApplicantContactIn(name="Jane Roy", email="jane@maple.example")],
    }
    return c.SubmitApplication(**{**fields, **kw})  # type: ignore[arg-type]


async def test_given_nothing_when_submitted_then_application_submitted() -> None:
    expo, interest = Expo(), uuid4()
    result = await expo.h.submit_application(submit(source_interest_id=interest), ctx())

    [event] = expo.events_of(result.stream_id)
    assert (event.type, event.version, result.version) == ("ApplicationSubmitted", 1, 1)
    assert event.schema_version == 2
    assert event.data == {
        "applicationId": result.stream_id,
        "edition": EDITION,
        "companyName": "Maple Robotics Inc.",
        "country": "CA",
        "address": {
            "streetLines": [],
            "city": None,
            "postalCode": None,
            "region": None,
            "country": "CA",
        },
        "supplyChainAreas": ["ADVANCED_MANUFACTURING"],
        "productCategories": ["industrial robots"],
        "contacts": [
            {"name": "Jane Roy", "email": "jane@maple.example", "phone": None, "language": None}
        ],
        "organizationId": None,
        "sourceInterestId": str(interest),
        "previousEditions": 0,
        "boothSizeSqm": None,
    }
    assert event.metadata["actor"] == "organizer"


async def test_an_application_records_the_company_address_and_its_contacts_languages() -> None:
    expo = Expo()
    address = c.AddressIn(
        street_lines=["100 King St W", "Suite 5"],
        city="Toronto",
        postal_code="M5X 1A9",
        region="Ontario",
        country="CA",
    )
    contact = c.ApplicantContactIn(name="Jane Roy", email="Jane@Maple.example", language="fr-CA")
    result = await expo.h.submit_application(submit(address=address, contacts=[contact]), ctx())

    [event] = expo.events_of(result.stream_id)
    assert event.data["address"] == {
        "streetLines": ["100 King St W", "Suite 5"], "city": "Toronto", "postalCode": "M5X 1A9",
        "region": "Ontario", "country": "CA"}  # fmt: skip
    assert event.data["contacts"][0]["language"] == "fr-CA"
    app = await expo.application(result.stream_id)
    assert app.contacts["jane@maple.example"].language == "fr-CA"


async def test_a_second_application_of_the_same_organization_names_the_first() -> None:
    expo = Expo()
    first = await expo.h.submit_application(submit("Maple Robotics Inc."), ctx())
    with pytest.raises(Duplicate) as refused:
        await expo.h.submit_application(submit("  maple   ROBOTICS inc. "), ctx())
    assert refused.value.existing_id == first.stream_id and first.stream_id in str(refused.value)
    org = uuid4()
    assert application_id(EDITION, org, "A") == application_id(EDITION, org, "B")
    assert application_id(EDITION, org, "A") != application_id("CISCE-2027", org, "A")


async def test_an_unknown_edition_or_area_is_a_validation_error() -> None:
    expo = Expo()
    with pytest.raises(InvalidValue) as unknown:
        await expo.h.submit_application(submit(edition="NOPE-1"), ctx())
    assert unknown.value.field == "edition" and "CISCE-2026" in str(unknown.value)


async def test_contract_payment_booth_and_confirmation() -> None:
    expo = Expo()
    await expo.define_booths("A-101", size=36)
    app = await expo.in_state(S.CONTRACTED)
    h = expo.h

    with pytest.raises(InvalidTransition, match="50% of the contract paid: 0 of 5000000"):
        await h.assign_booth(c.AssignBooth(application_id=app, hall="A", booth_code="A-101"), ctx())
    await h.record_payment(
        c.RecordPayment(
            application_id=app, amount=CONTRACT // 2 - 1, currency="CNY", reference="wire 1"
        ),
        ctx(),
    )
    with pytest.raises(InvalidTransition, match="4999999 of 5000000"):
        await h.assign_booth(c.AssignBooth(application_id=app, hall="A", booth_code="A-101"), ctx())
    await h.record_payment(
        c.RecordPayment(application_id=app, amount=1, currency="CNY", reference="wire 2"), ctx()
    )
    with pytest.raises(InvalidTransition, match="needs full payment"):
        await h.confirm_participation(c.ConfirmParticipation(application_id=app), ctx())

    assert await expo.new_events(
        lambda: h.assign_booth(
            c.AssignBooth(application_id=app, hall="A", booth_code="A-101"), ctx()
        )
    ) == [(app, "BoothAssigned"), (floor_plan_id(EDITION, "A"), "BoothAllocated")]
    with pytest.raises(InvalidValue, match="exceeds the outstanding 5000000") as over:
        await h.record_payment(
            c.RecordPayment(
                application_id=app, amount=CONTRACT, currency="CNY", reference="too much"
            ),
            ctx(),
        )
    assert over.value.field == "amount"
    with pytest.raises(InvalidValue, match="contract is in CNY"):
        await h.record_payment(
            c.RecordPayment(
                application_id=app, amount=10, currency="USD", reference="wrong currency"
            ),
            ctx(),
        )
    await h.record_payment(
        c.RecordPayment(
            application_id=app, amount=CONTRACT // 2, currency="CNY", reference="balance"
        ),
        ctx(),
    )
    await h.confirm_participation(c.ConfirmParticipation(application_id=app), ctx())

    state = await expo.application(app)
    assert (state.status, state.paid, state.booth.code if state.booth else None) == (
        S.CONFIRMED,
        CONTRACT,
        "A-101",
    )


async def test_a_contract_must_be_issued_in_the_edition_currency_and_signed_after_issue() -> None:
    expo = Expo()
    app = await expo.in_state(S.APPROVED)
    with pytest.raises(InvalidTransition, match="no contract issued to sign"):
        await expo.h.sign_contract(c.SignContract(application_id=app), ctx())
    with pytest.raises(InvalidValue, match="contracts are in CNY"):
        await expo.h.issue_contract(
            c.IssueContract(
                application_id=app, amount=10, currency="EUR", due_date=date(2026, 3, 1)
            ),
            ctx(),
        )
    with pytest.raises(InvalidValue, match="due date is in the past"):
        await expo.h.issue_contract(
            c.IssueContract(
                application_id=app, amount=10, currency="CNY", due_date=date(2025, 1, 1)
            ),
            ctx(),
        )
    await expo.h.issue_contract(
        c.IssueContract(application_id=app, amount=10, currency="CNY", due_date=date(2026, 3, 1)),
        ctx(),
    )
    await expo.h.sign_contract(c.SignContract(application_id=app), ctx())
    assert (await expo.application(app)).status == S.CONTRACTED


async def test_one_booth_is_never_allocated_to_two_applications() -> None:
    expo = Expo()
    await expo.define_booths("A-1")
    first, second = await expo.in_state(S.CONTRACTED), await expo.in_state(S.CONTRACTED)
    for app in (first, second):
        await expo.h.record_payment(
            c.RecordPayment(application_id=app, amount=CONTRACT, currency="CNY", reference="full"),
            ctx(),
        )
    await expo.h.assign_booth(
        c.AssignBooth(application_id=first, hall="A", booth_code="A-1"), ctx()
    )
    with pytest.raises(InvalidTransition, match=f"already allocated to application {first}"):
        await expo.h.assign_booth(
            c.AssignBooth(application_id=second, hall="A", booth_code="A-1"), ctx()
        )
    with pytest.raises(NotFound, match="no booth A-9 in hall A"):
        await expo.h.assign_booth(
            c.AssignBooth(application_id=second, hall="A", booth_code="A-9"), ctx()
        )
    await expo.define_booths("A-2")
    with pytest.raises(InvalidTransition, match="already has booth A-1"):
        await expo.h.assign_booth(
            c.AssignBooth(application_id=first, hall="A", booth_code="A-2"), ctx()
        )


async def test_booths_are_defined_once_per_hall_in_the_edition_areas() -> None:
    expo = Expo()
    await expo.define_booths("B-1", hall="B")
    with pytest.raises(Duplicate):
        await expo.define_booths("B-1", hall="B")
    await expo.define_booths("B-1", hall="C")  # another hall, another booth
    with pytest.raises(InvalidValue):
        await expo.h.define_booth(
            c.DefineBooth(
                edition="NOPE",
                hall="B",
                booth_code="B-2",
                size_sqm=9,
                supply_chain_area=SupplyChainArea.CLEAN_ENERGY,
            ),
            ctx(),
        )


def retire(code: str) -> c.RetireBooth:
    return c.RetireBooth(edition=EDITION, hall="A", booth_code=code)


async def test_a_booth_defined_by_mistake_is_retired_only_while_nobody_holds_it() -> None:
    expo = Expo()
    await expo.define_booths("A-1", "A-2")
    holder = await expo.holding("A-1")
    with pytest.raises(InvalidTransition, match=f"allocated to application {holder}"):
        await expo.h.retire_booth(retire("A-1"), ctx())
    waiting = await expo.in_state(S.WAITLISTED)
    await expo.h.withdraw_application(
        c.WithdrawApplication(application_id=holder, reason="no"), ctx()
    )  # A-1 is released and offered to the waitlisted application
    with pytest.raises(InvalidTransition, match=f"offered to waitlisted application {waiting}"):
        await expo.h.retire_booth(retire("A-1"), ctx())
    with pytest.raises(NotFound, match="no booth A-9 in hall A"):
        await expo.h.retire_booth(retire("A-9"), ctx())

    retired = await expo.new_events(lambda: expo.h.retire_booth(retire("A-2"), ctx()))

    assert retired == [(floor_plan_id(EDITION, "A"), "BoothRetired")]
    assert set((await expo.floor_plan()).booths) == {"A-1"}
    with pytest.raises(NotFound):
        await expo.h.retire_booth(retire("A-2"), ctx())
    await expo.define_booths("A-2")  # its code may be defined again
    assert (await expo.floor_plan()).booths["A-2"].free


async def test_a_withdrawal_releases_the_booth_and_offers_it_to_the_waitlist_by_priority():
    expo = Expo()
    await expo.define_booths("A-1")
    holder = await expo.holding("A-1")
    newcomer = await expo.in_state(S.WAITLISTED, previous=0, size=100)
    veteran_small = await expo.in_state(S.WAITLISTED, previous=3, size=9)
    veteran_big = await expo.in_state(S.WAITLISTED, previous=3, size=36)
    assert await expo.waitlist() == [veteran_big, veteran_small, newcomer]

    events = await expo.new_events(
        lambda: expo.h.withdraw_application(
            c.WithdrawApplication(application_id=holder, reason="budget cut"), ctx()
        )
    )

    plan_stream, queue = floor_plan_id(EDITION, "A"), waitlist_id(EDITION)
    assert sorted(events) == sorted(
        [
            (holder, "BoothReleased"),
            (holder, "ApplicationWithdrawn"),
            (plan_stream, "BoothReleased"),
            (plan_stream, "BoothOffered"),
            (queue, "WaitlistEntryRemoved"),
            (veteran_big, "BoothOffered"),
        ]
    )
    booth = (await expo.floor_plan()).booths["A-1"]
    assert (booth.allocated_to, booth.offered_to) == (None, veteran_big)
    assert await expo.waitlist() == [veteran_small, newcomer]

    # the booth is held for the offeree: nobody else may take it, the offeree may
    other = await expo.in_state(S.CONTRACTED)
    await expo.h.record_payment(
        c.RecordPayment(application_id=other, amount=CONTRACT, currency="CNY", reference="full"),
        ctx(),
    )
    with pytest.raises(InvalidTransition, match=f"held for waitlisted application {veteran_big}"):
        await expo.h.assign_booth(
            c.AssignBooth(application_id=other, hall="A", booth_code="A-1"), ctx()
        )
    # the offeree is rejected after all: the booth goes to the next in line
    await expo.h.reject_application(
        c.RejectApplication(application_id=veteran_big, reason="incomplete"), ctx()
    )
    assert (await expo.floor_plan()).booths["A-1"].offered_to == veteran_small
    assert await expo.waitlist() == [newcomer]


async def test_an_offeree_approved_and_paid_takes_the_booth_offered() -> None:
    expo = Expo()
    await expo.define_booths("A-1")
    holder = await expo.holding("A-1")
    waiting = await expo.in_state(S.WAITLISTED)
    await expo.h.withdraw_application(
        c.WithdrawApplication(application_id=holder, reason="no"), ctx()
    )

    await expo.h.approve_application(c.ApproveApplication(application_id=waiting), ctx())
    await expo.h.issue_contract(
        c.IssueContract(
            application_id=waiting, amount=CONTRACT, currency="CNY", due_date=date(2026, 3, 31)
        ),
        ctx(),
    )
    await expo.h.sign_contract(c.SignContract(application_id=waiting), ctx())
    await expo.h.record_payment(
        c.RecordPayment(application_id=waiting, amount=CONTRACT, currency="CNY", reference="full"),
        ctx(),
    )
    await expo.h.assign_booth(
        c.AssignBooth(application_id=waiting, hall="A", booth_code="A-1"), ctx()
    )

    state = await expo.application(waiting)
    assert state.booth is not None and state.booth.code == "A-1" and state.offered_booth is None
    assert (await expo.floor_plan()).booths["A-1"].allocated_to == waiting


async def test_cancellation_for_non_payment_only_once_the_due_date_has_passed() -> None:
    expo = Expo()
    await expo.define_booths("A-1")
    app = await expo.in_state(S.CONTRACTED)
    await expo.h.record_payment(
        c.RecordPayment(
            application_id=app, amount=CONTRACT // 2, currency="CNY", reference="deposit"
        ),
        ctx(),
    )
    await expo.h.assign_booth(c.AssignBooth(application_id=app, hall="A", booth_code="A-1"), ctx())
    with pytest.raises(InvalidTransition, match="payment is not overdue"):
        await expo.h.cancel_for_non_payment(
            c.CancelForNonPayment(application_id=app, reason="unpaid"), ctx()
        )
    expo.clock.current = datetime(2026, 4, 1, tzinfo=UTC)

    await expo.h.cancel_for_non_payment(
        c.CancelForNonPayment(application_id=app, reason="balance unpaid"), ctx()
    )

    assert (await expo.application(app)).status == S.CANCELLED
    assert (await expo.floor_plan()).booths["A-1"].free


async def test_contacts_areas_and_categories() -> None:
    expo = Expo()
    app = await expo.in_state(S.SUBMITTED)
    h = expo.h
    await h.add_contact(
        c.AddContact(application_id=app, name="Bo Li", email="bo@example.com", phone="+1 555 0100"),
        ctx(),
    )
    with pytest.raises(Duplicate):
        await h.add_contact(
            c.AddContact(application_id=app, name="Bo", email="bo@example.com"), ctx()
        )
    await h.remove_contact(c.RemoveContact(application_id=app, email="ana@example.com"), ctx())
    with pytest.raises(NotFound):
        await h.remove_contact(c.RemoveContact(application_id=app, email="ana@example.com"), ctx())
    await h.set_supply_chain_areas(
        c.SetSupplyChainAreas(
            application_id=app,
            supply_chain_areas=(SupplyChainArea.SMART_VEHICLES, SupplyChainArea.CLEAN_ENERGY),
        ),
        ctx(),
    )
    await h.set_product_categories(
        c.SetProductCategories(application_id=app, product_categories=("batteries", "chargers")),
        ctx(),
    )
    await h.update_profile(
        c.UpdateProfile(
            application_id=app, company_name="Maple Mobility", website="https://maple.example"
        ),
        ctx(),
    )

    state = await expo.application(app)
    assert list(state.contacts) == ["bo@example.com"]
    assert state.areas == ("SMART_VEHICLES", "CLEAN_ENERGY")
    assert state.categories == ("batteries", "chargers")
    assert (state.company_name, state.country, state.website) == (
        "Maple Mobility",
        "CA",
        "https://maple.example",
    )


async def test_a_stale_expected_version_is_a_conflict_and_a_retry_returns_the_first_result() -> (
    None
):
    expo = Expo()
    app = await expo.in_state(S.SUBMITTED)
    with pytest.raises(WrongExpectedVersion):
        await expo.h.start_review(c.StartReview(application_id=app), ctx(expected_version=0))
    first = await expo.h.start_review(
        c.StartReview(application_id=app), ctx(idempotency_key="k", fingerprint="f")
    )
    again = await expo.h.start_review(
        c.StartReview(application_id=app), ctx(idempotency_key="k", fingerprint="f")
    )
    assert again == replace(first, replayed=True) and (await expo.application(app)).version == 2


def next_edition() -> c.CreateEdition:
    """The 5th expo, its applications open in a year (the clock stands in January 2026)."""
    fields = {"code": "CISCE-2027", "name": "5th CISCE", "city": "Beijing", "country": "CN",
              "startsOn": "2027-06-21", "endsOn": "2027-06-25", "timezone": "Asia/Shanghai",
              "currency": "CNY", "supplyChainAreas": ["CLEAN_ENERGY"],
              "depositThresholdPct": 50, "opensAt": "2027-06-21T09:00:00+08:00",
              "applicationsOpenAt": "2027-01-15T00:00:00+08:00"}  # fmt: skip
    return c.CreateEdition.model_validate(fields)


async def test_every_event_the_stories_produce_matches_its_schema() -> None:
    expo = Expo()
    await expo.define_booths("A-1", "A-2", "A-3")
    await expo.h.retire_booth(retire("A-3"), ctx())
    for status in S:
        await expo.in_state(status)
    holder = await expo.holding("A-1")
    await expo.in_state(S.WAITLISTED)
    await expo.h.withdraw_application(
        c.WithdrawApplication(application_id=holder, reason="no"), ctx()
    )
    app = await expo.in_state(S.SUBMITTED)
    await expo.h.add_contact(
        c.AddContact(application_id=app, name="Bo", email="bo@example.com"), ctx()
    )
    await expo.h.remove_contact(c.RemoveContact(application_id=app, email="bo@example.com"), ctx())
    await expo.h.forget_contact(c.ForgetContact(application_id=app, email="bo@example.com"), ctx())
    await expo.h.set_supply_chain_areas(
        c.SetSupplyChainAreas(
            application_id=app, supply_chain_areas=(SupplyChainArea.SMART_VEHICLES,)
        ),
        ctx(),
    )
    await expo.h.set_product_categories(
        c.SetProductCategories(application_id=app, product_categories=("x",)), ctx()
    )
    await expo.h.update_profile(c.UpdateProfile(application_id=app, description="Robots."), ctx())
    refused = RefuseConversion(str(uuid4()), 3, "INVALID_TRANSITION", "CISCE-2026 has opened")
    await expo.h.refuse_conversion(refused, ctx())
    await expo.editions.create_edition(next_edition(), ctx())
    await expo.editions.open_applications(c.OpenApplications(edition="CISCE-2027"), ctx())
    await expo.editions.close_applications(c.CloseApplications(edition="CISCE-2027"), ctx())
    await expo.editions.copy_floor_plan(
        c.CopyFloorPlan(edition="CISCE-2027", from_edition=EDITION), ctx()
    )

    seen = set()
    for event in expo.store.all_events():
        schema_file = SCHEMAS / f"{event.type}.v{event.schema_version}.schema.json"
        schema = json.loads(schema_file.read_text())
        jsonschema.validate(event.data, schema, format_checker=jsonschema.FormatChecker())
        seen.add(event.type)
    rebooking = {"RebookingOffered", "RebookingAccepted", "RebookingDeclined", "RebookingExpired"}
    every = {p.name.split(".")[0] for p in SCHEMAS.glob("*.schema.json")}
    assert seen == every - rebooking  # test_rebooking's stories check those
