"""The contract's rules say which changes an application allows (what the gateway shows
as its allowedActions): in every situation, exactly those the aggregate accepts."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors.rules import ALLOWED_IN, allowed
from pavilion_core.errors import InvalidTransition

from tests.unit.exhibitors import support
from tests.unit.exhibitors.support import AFTER_OPENING, Expo, S, ctx
from tests.unit.exhibitors.test_transitions import COMMANDS

CHANGES: dict[str, type[c.ApplicationCommand]] = {
    "start review": c.StartReview,
    "approve": c.ApproveApplication,
    "reject": c.RejectApplication,
    "waitlist": c.WaitlistApplication,
    "issue contract": c.IssueContract,
    "sign contract": c.SignContract,
    "record payment": c.RecordPayment,
    "assign booth": c.AssignBooth,
    "confirm": c.ConfirmParticipation,
    "cancel": c.CancelForNonPayment,
    "withdraw": c.WithdrawApplication,
    "update profile": c.UpdateProfile,
    "add contact": c.AddContact,
    "remove contact": c.RemoveContact,
    "set areas": c.SetSupplyChainAreas,
    "set categories": c.SetProductCategories,
}
Step = Callable[[Expo, str], Awaitable[None]]
PAST_DUE = datetime(2026, 4, 2, tzinfo=UTC)


async def _issued(x: Expo, a: str) -> None:
    await support._review(x, a)
    await support._approve(x, a)
    await x.h.issue_contract(
        c.IssueContract(
            application_id=a, amount=support.CONTRACT, currency="CNY", due_date=PAST_DUE.date()
        ),
        ctx(),
    )


async def _with_booth(x: Expo, a: str) -> None:
    await x.h.assign_booth(c.AssignBooth(application_id=a, hall="A", booth_code="A-1"), ctx())


def _at(when: datetime) -> Step:
    async def step(x: Expo, a: str) -> None:
        x.clock.current = when

    return step


SITUATIONS: dict[str, tuple[S, list[Step]]] = {
    **{status.value: (status, []) for status in S},
    "contract issued": (S.SUBMITTED, [_issued]),
    "deposit paid": (S.CONTRACTED, [support._deposit]),
    "booth, not paid in full": (S.CONTRACTED, [support._deposit, _with_booth]),
    "payment overdue": (S.CONTRACTED, [_at(datetime(2026, 4, 2, 1, tzinfo=UTC))]),
    "edition opened": (S.CONTRACTED, [support._deposit, _at(AFTER_OPENING)]),
}


@pytest.mark.parametrize("situation", list(SITUATIONS))
async def test_allowed_is_what_the_aggregate_accepts(situation: str) -> None:
    status, steps = SITUATIONS[situation]
    for name, (command, _) in COMMANDS.items():
        expo = Expo()
        await expo.define_booths("A-1")
        app_id = await expo.in_state(status)
        for step in steps:
            await step(expo, app_id)
        app = await expo.application(app_id)
        edition = await expo.edition(app.edition)
        said = CHANGES[name] in allowed(app.standing(edition, expo.clock.now()))
        try:
            await command(expo, app_id)
            accepted = True
        except InvalidTransition:
            accepted = False
        assert said == accepted, f"{situation}: {name} allowed={said}, accepted={accepted}"


def test_every_change_of_an_application_has_its_rule() -> None:
    assert set(CHANGES.values()) | {c.ForgetContact} == set(ALLOWED_IN)
