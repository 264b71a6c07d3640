"""Every command in every state: what is legal moves the application on, what is not
is refused with INVALID_TRANSITION naming the state, and appends nothing."""

from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.errors import InvalidTransition, NotFound
from pavilion_core.eventstore import AppendResult

from tests.unit.exhibitors.support import AFTER_OPENING, CONTRACT, Expo, S, ctx

Command = Callable[[Expo, str], Awaitable[AppendResult]]
OPEN = {S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.WAITLISTED, S.CONTRACTED, S.CONFIRMED}

COMMANDS: dict[str, tuple[Command, set[S]]] = {
    "start review": (
        lambda x, a: x.h.start_review(c.StartReview(application_id=a), ctx()),
        {S.SUBMITTED},
    ),
    "approve": (
        lambda x, a: x.h.approve_application(c.ApproveApplication(application_id=a), ctx()),
        {S.UNDER_REVIEW, S.WAITLISTED},
    ),
    "reject": (
        lambda x, a: x.h.reject_application(
            c.RejectApplication(application_id=a, reason="no"), ctx()
        ),
        {S.UNDER_REVIEW, S.WAITLISTED},
    ),
    "waitlist": (
        lambda x, a: x.h.waitlist_application(c.WaitlistApplication(application_id=a), ctx()),
        {S.UNDER_REVIEW},
    ),
    "issue contract": (
        lambda x, a: x.h.issue_contract(
            c.IssueContract(
                application_id=a, amount=CONTRACT, currency="CNY", due_date=date(2026, 3, 31)
            ),
            ctx(),
        ),
        {S.APPROVED},
    ),
    # legal only once a contract is issued / a deposit or all is paid / a due date passed:
    # the stories in test_applications.py show those
    "sign contract": (
        lambda x, a: x.h.sign_contract(c.SignContract(application_id=a), ctx()),
        set(),
    ),
    "record payment": (
        lambda x, a: x.h.record_payment(
            c.RecordPayment(application_id=a, amount=100, currency="CNY", reference="ref"), ctx()
        ),
        {S.CONTRACTED},
    ),
    "assign booth": (
        lambda x, a: x.h.assign_booth(
            c.AssignBooth(application_id=a, hall="A", booth_code="A-1"), ctx()
        ),
        set(),
    ),
    "confirm": (
        lambda x, a: x.h.confirm_participation(c.ConfirmParticipation(application_id=a), ctx()),
        set(),
    ),
    "cancel": (
        lambda x, a: x.h.cancel_for_non_payment(
            c.CancelForNonPayment(application_id=a, reason="unpaid"), ctx()
        ),
        set(),
    ),
    "withdraw": (
        lambda x, a: x.h.withdraw_application(
            c.WithdrawApplication(application_id=a, reason="no"), ctx()
        ),
        OPEN,
    ),
    "update profile": (
        lambda x, a: x.h.update_profile(
            c.UpdateProfile(application_id=a, website="https://example.com"), ctx()
        ),
        OPEN,
    ),
    "add contact": (
        lambda x, a: x.h.add_contact(
            c.AddContact(application_id=a, name="Bo Li", email="bo@example.com"), ctx()
        ),
        OPEN,
    ),
    "remove contact": (
        lambda x, a: x.h.remove_contact(
            c.RemoveContact(application_id=a, email="ana@example.com"), ctx()
        ),
        OPEN,
    ),
    "set areas": (
        lambda x, a: x.h.set_supply_chain_areas(
            c.SetSupplyChainAreas(
                application_id=a, supply_chain_areas=(SupplyChainArea.SMART_VEHICLES,)
            ),
            ctx(),
        ),
        OPEN,
    ),
    "set categories": (
        lambda x, a: x.h.set_product_categories(
            c.SetProductCategories(application_id=a, product_categories=("batteries",)), ctx()
        ),
        OPEN,
    ),
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("name", list(COMMANDS))
async def test_each_command_in_each_state(status: S, name: str) -> None:
    command, legal_in = COMMANDS[name]
    expo = Expo()
    await expo.define_booths("A-1")
    app_id = await expo.in_state(status)
    version = (await expo.application(app_id)).version

    if status in legal_in:
        result = await command(expo, app_id)
        assert result.version > version
        assert (await expo.application(app_id)).version == result.version
    else:
        with pytest.raises(InvalidTransition) as refused:
            await command(expo, app_id)
        assert refused.value.code == "INVALID_TRANSITION"
        if status not in OPEN or name not in {"sign contract", "assign booth", "confirm", "cancel"}:
            assert str(status) in str(refused.value)
        assert (await expo.application(app_id)).version == version


@pytest.mark.parametrize("name", [n for n in COMMANDS if n != "withdraw"])
async def test_once_the_edition_has_opened_only_withdrawal_is_possible(name: str) -> None:
    command, legal_in = COMMANDS[name]
    expo = Expo()
    await expo.define_booths("A-1")
    app_id = await expo.in_state(next(iter(legal_in)) if legal_in else S.CONTRACTED)
    expo.clock.current = AFTER_OPENING
    with pytest.raises(InvalidTransition, match="has opened: only withdrawal"):
        await command(expo, app_id)
    await COMMANDS["withdraw"][0](expo, app_id)
    assert (await expo.application(app_id)).status == S.WITHDRAWN


@pytest.mark.parametrize("name", list(COMMANDS))
async def test_a_command_on_an_unknown_application_is_not_found(name: str) -> None:
    with pytest.raises(NotFound):
        await COMMANDS[name][0](Expo(), "00000000-0000-0000-0000-000000000000")
