"""Random command sequences against the domain (hypothesis): every command is accepted
or refused exactly as a decision table written from the rules (DOMAIN.md) says, with
the code and the reason it names; and whatever the order, the invariants hold — no
booth held twice, paid never above the contract, only allowed transitions, versions
equal to the number of events."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pavilion_contracts.exhibitors import ApplicationStatus
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.errors import CommandRejected

from tests.unit.exhibitors.support import CONTRACT, Expo, ctx

S = ApplicationStatus
BOOTHS = ["A-1", "A-2", "A-3"]
LAST_DAY = datetime(2026, 6, 1, tzinfo=UTC)
APPS = 4
NEXT: dict[S | None, set[S]] = {
    None: {S.SUBMITTED},
    S.SUBMITTED: {S.UNDER_REVIEW, S.WITHDRAWN},
    S.UNDER_REVIEW: {S.APPROVED, S.REJECTED, S.WAITLISTED, S.WITHDRAWN},
    S.WAITLISTED: {S.APPROVED, S.REJECTED, S.WITHDRAWN},
    S.APPROVED: {S.CONTRACTED, S.WITHDRAWN, S.CANCELLED},
    S.CONTRACTED: {S.CONFIRMED, S.WITHDRAWN, S.CANCELLED},
    S.CONFIRMED: {S.WITHDRAWN},
    S.REJECTED: set(),
    S.WITHDRAWN: set(),
    S.CANCELLED: set(),
}
STATUS_OF = {
    "ApplicationSubmitted": S.SUBMITTED,
    "ReviewStarted": S.UNDER_REVIEW,
    "ApplicationApproved": S.APPROVED,
    "ApplicationRejected": S.REJECTED,
    "ApplicationWaitlisted": S.WAITLISTED,
    "ContractSigned": S.CONTRACTED,
    "ParticipationConfirmed": S.CONFIRMED,
    "ApplicationWithdrawn": S.WITHDRAWN,
    "ApplicationCancelled": S.CANCELLED,
}

app_index = st.integers(0, APPS - 1)
# amounts on both sides of the deposit (half the contract) and of what is outstanding
amounts = st.sampled_from([1, CONTRACT // 4, CONTRACT // 2 - 1, CONTRACT // 2, CONTRACT // 2 + 1])
# "advance" takes the application one step along the usual path (picking among the
# plausible next commands), so that random sequences reach contracts, payments and
# booths often; the other steps are arbitrary, legal or not.
PLAUSIBLE: dict[S, list[str]] = {
    S.SUBMITTED: ["review"],
    S.UNDER_REVIEW: ["approve", "waitlist", "approve"],
    S.WAITLISTED: ["approve"],
    S.APPROVED: ["issue", "sign"],
    S.CONTRACTED: ["pay", "assign", "confirm", "pay"],
    S.CONFIRMED: ["withdraw"],
}
advance = st.tuples(
    st.just("advance"),
    app_index,
    st.integers(0, 3),
    st.sampled_from(BOOTHS),
    amounts,
)
anything = st.one_of(
    st.tuples(
        st.sampled_from(
            [
                "review",
                "approve",
                "reject",
                "waitlist",
                "issue",
                "sign",
                "confirm",
                "withdraw",
                "cancel",
            ]
        ),
        app_index,
    ),
    st.tuples(st.just("pay"), app_index, st.one_of(amounts, st.just(CONTRACT))),
    st.tuples(st.just("assign"), app_index, st.sampled_from(BOOTHS)),
    st.tuples(st.just("time passes")),
)
steps = st.integers(0, 9).flatmap(lambda n: advance if n < 7 else anything)


async def run(expo: Expo, ids: list[str], step: tuple) -> None:  # type: ignore[type-arg]
    h, kind = expo.h, step[0]
    if kind == "time passes":  # six weeks: contracts fall overdue; never up to the opening
        expo.clock.current = min(expo.clock.current + timedelta(weeks=6), LAST_DAY)
        return
    if kind == "advance":
        _, i, pick, booth, amount = step
        status = (await expo.application(ids[i])).status
        options = PLAUSIBLE.get(status, []) if status else []
        if not options:
            return
        kind = options[pick % len(options)]
        step = (kind, i, booth if kind == "assign" else amount)
    a = ids[step[1]]
    expected = await _expected(expo, a, kind, step)
    actions = {
        "review": lambda: h.start_review(c.StartReview(application_id=a), ctx()),
        "approve": lambda: h.approve_application(c.ApproveApplication(application_id=a), ctx()),
        "reject": lambda: h.reject_application(
            c.RejectApplication(application_id=a, reason="no"), ctx()
        ),
        "waitlist": lambda: h.waitlist_application(c.WaitlistApplication(application_id=a), ctx()),
        "issue": lambda: h.issue_contract(
            c.IssueContract(
                application_id=a,
                amount=CONTRACT,
                currency="CNY",
                due_date=(expo.clock.current + timedelta(days=30)).date(),
            ),
            ctx(),
        ),
        "sign": lambda: h.sign_contract(c.SignContract(application_id=a), ctx()),
        "confirm": lambda: h.confirm_participation(c.ConfirmParticipation(application_id=a), ctx()),
        "withdraw": lambda: h.withdraw_application(
            c.WithdrawApplication(application_id=a, reason="no"), ctx()
        ),
        "cancel": lambda: h.cancel_for_non_payment(
            c.CancelForNonPayment(application_id=a, reason="unpaid"), ctx()
        ),
        "pay": lambda: h.record_payment(
            c.RecordPayment(application_id=a, amount=step[-1], currency="CNY", reference="p"), ctx()
        ),
        "assign": lambda: h.assign_booth(
            c.AssignBooth(application_id=a, hall="A", booth_code=step[-1]), ctx()
        ),
    }
    try:
        await actions[kind]()
    except CommandRejected as refusal:
        assert expected is not None, f"{kind} refused ({refusal}) where the rules allow it"
        code, reason = expected
        assert (refusal.code, reason in str(refusal)) == (code, True), (kind, str(refusal))
    else:
        assert expected is None, f"{kind} accepted where the rules refuse it: {expected}"


# -- the decision table ------------------------------------------------------------
# What each command meets, given the application's state and the hall's booths as they
# stand: None (accepted) or (code, words its reason must contain). Written from the
# rules, not from the aggregate's code; checked in the order the rules are listed.

OPEN = {S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.WAITLISTED, S.CONTRACTED, S.CONFIRMED}
STATES: dict[str, set[S]] = {
    "review": {S.SUBMITTED},
    "approve": {S.UNDER_REVIEW, S.WAITLISTED},
    "reject": {S.UNDER_REVIEW, S.WAITLISTED},
    "waitlist": {S.UNDER_REVIEW},
    "issue": {S.APPROVED},
    "sign": {S.APPROVED},
    "pay": {S.CONTRACTED},
    "assign": {S.CONTRACTED},
    "confirm": {S.CONTRACTED},
    "withdraw": OPEN,
    "cancel": {S.APPROVED, S.CONTRACTED},
}
WRONG_STATE = ("INVALID_TRANSITION", "an application that is")


async def _expected(expo: Expo, a: str, kind: str, step: tuple) -> tuple[str, str] | None:  # type: ignore[type-arg]
    app = await expo.application(a)
    assert app.status is not None
    if app.status not in STATES[kind]:
        return WRONG_STATE
    contract = app.contract.amount if app.contract else None
    today = expo.clock.current.date()
    if kind == "sign" and contract is None:
        return ("INVALID_TRANSITION", "no contract issued")
    if kind == "pay" and step[-1] > (contract or 0) - app.paid:
        return ("VALIDATION", "exceeds the outstanding")
    if kind == "cancel":
        if app.contract is None:
            return ("INVALID_TRANSITION", "no contract")
        if app.paid >= app.contract.amount or today <= app.contract.due_date:
            return ("INVALID_TRANSITION", "not overdue")
    if kind == "assign":
        booth = (await expo.floor_plan()).booths[step[-1]]
        if app.booth is not None:
            return ("INVALID_TRANSITION", "already has booth")
        if app.paid * 2 < (contract or 0):  # the edition's deposit: 50 %
            return ("INVALID_TRANSITION", "of the contract paid")
        if booth.allocated_to is not None:
            return ("INVALID_TRANSITION", "already allocated")
        if booth.offered_to not in (None, a):
            return ("INVALID_TRANSITION", "held for waitlisted")
    if kind == "confirm":
        if app.paid < (contract or 0):
            return ("INVALID_TRANSITION", "needs full payment")
        if app.booth is None:
            return ("INVALID_TRANSITION", "no booth")
    return None


async def scenario(sequence: list[tuple]) -> Expo:  # type: ignore[type-arg]
    expo = Expo()
    await expo.define_booths(*BOOTHS)
    ids = [await expo.submitted(previous=i % 3, size=9 * (i + 1)) for i in range(APPS)]
    for step in sequence:
        await run(expo, ids, step)
    return expo


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(steps, min_size=20, max_size=120))
def test_invariants_hold_for_any_command_sequence(sequence: list[tuple]) -> None:  # type: ignore[type-arg]
    expo = asyncio.run(scenario(sequence))
    apps = [a for a in asyncio.run(_applications(expo))]
    plan = asyncio.run(expo.floor_plan())

    for stream, events in expo.store.streams.items():
        assert [e.version for e in events] == list(range(1, len(events) + 1)), stream
    for app in apps:
        assert app.version == len(expo.events_of(app.id))
        contract = app.contract.amount if app.contract else 0
        assert 0 <= app.paid <= contract
        _transitions_allowed(expo, app.id)
        if app.status == S.CONFIRMED:
            assert app.paid == contract and app.booth is not None

    held = Counter(a.booth.code for a in apps if a.booth)
    assert all(n == 1 for n in held.values()), held
    for code, booth in plan.booths.items():
        holders = [a.id for a in apps if a.booth and a.booth.code == code]
        assert holders == ([booth.allocated_to] if booth.allocated_to else [])
        offerees = [a.id for a in apps if a.offered_booth and a.offered_booth.code == code]
        assert offerees == ([booth.offered_to] if booth.offered_to else [])
        assert not (booth.allocated_to and booth.offered_to)


async def _applications(expo: Expo) -> list:  # type: ignore[type-arg]
    ids = [s for s in expo.store.streams if ":" not in s]
    return [await expo.application(i) for i in ids]


def _transitions_allowed(expo: Expo, app_id: str) -> None:
    status: S | None = None
    paid, contract = 0, 0
    for event in expo.events_of(app_id):
        if event.type == "ContractIssued":
            contract = event.data["amount"]
        if event.type == "PaymentRecorded":
            paid = event.data["paidTotal"]
        if event.type == "BoothAssigned":
            assert status == S.CONTRACTED and paid * 2 >= contract
        if (new := STATUS_OF.get(event.type)) is not None:
            assert new in NEXT[status], f"{status} -> {new}"
            status = new
