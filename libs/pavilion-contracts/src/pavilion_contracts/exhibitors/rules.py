"""The rules of an application's life, of an edition's application window and of the
waitlist, declared once: the exhibitors
service's aggregates refuse what they do not allow, and the gateway shows what they allow
(`Exhibitor.allowedActions`, the waitlist's order) from the same definitions."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors.enums import ApplicationStatus

S = ApplicationStatus
TERMINAL = frozenset({S.REJECTED, S.WITHDRAWN, S.CANCELLED})
OPEN = frozenset(S) - TERMINAL
Change = type[c.ApplicationCommand]

# The states in which each change of an application is allowed, in the order of its life.
ALLOWED_IN: Mapping[Change, frozenset[S]] = {
    c.StartReview: frozenset({S.SUBMITTED}),
    c.ApproveApplication: frozenset({S.UNDER_REVIEW, S.WAITLISTED}),
    c.RejectApplication: frozenset({S.UNDER_REVIEW, S.WAITLISTED}),
    c.WaitlistApplication: frozenset({S.UNDER_REVIEW}),
    c.IssueContract: frozenset({S.APPROVED}),
    c.SignContract: frozenset({S.APPROVED}),
    c.RecordPayment: frozenset({S.CONTRACTED}),
    c.AssignBooth: frozenset({S.CONTRACTED}),
    c.ConfirmParticipation: frozenset({S.CONTRACTED}),
    c.WithdrawApplication: OPEN,
    c.CancelForNonPayment: frozenset({S.APPROVED, S.CONTRACTED}),
    c.UpdateProfile: OPEN,
    c.AddContact: OPEN,
    c.RemoveContact: OPEN,
    c.SetSupplyChainAreas: OPEN,
    c.SetProductCategories: OPEN,
    c.ForgetContact: frozenset(S),
}
# Once the edition has opened, only these (withdrawal, and forgetting a person).
AFTER_OPENING: frozenset[Change] = frozenset[Change]((c.WithdrawApplication, c.ForgetContact))


@dataclass(frozen=True)
class Standing:
    """An application as the rules look at it, on `today` (amounts in minor units)."""

    status: S
    opened: bool  # its edition has opened
    deposit_pct: int  # the edition's share of the contract to pay before a booth
    today: date
    contract_amount: int | None = None
    contract_due: date | None = None
    paid: int = 0
    booth: str | None = None  # the code of the booth it holds


def accepting_applications(
    now: datetime, opens_at: datetime, open_from: datetime | None, close_at: datetime
) -> bool:
    """Whether an edition takes applications at `now`: within its window (`open_from`
    None: from the beginning; `close_at` excluded) and before it opens."""
    return (open_from is None or open_from <= now) and now < min(close_at, opens_at)


def deposit_due(contract_amount: int, deposit_pct: int) -> int:
    """The part of a contract amount to pay before a booth: rounded up."""
    return -(-contract_amount * deposit_pct // 100)


def _contract_issued(s: Standing) -> str | None:
    return None if s.contract_amount is not None else "it has no contract issued to sign"


def _booth_assignable(s: Standing) -> str | None:
    if s.booth is not None:
        return f"it already has booth {s.booth}"
    deposit = deposit_due(s.contract_amount or 0, s.deposit_pct)
    if s.paid < deposit:
        return f"a booth needs {s.deposit_pct}% of the contract paid: {s.paid} of {deposit} so far"
    return None


def _confirmable(s: Standing) -> str | None:
    if s.paid < (s.contract_amount or 0):
        return f"confirmation needs full payment: {s.paid} of {s.contract_amount}"
    return None if s.booth is not None else "it has no booth yet"


def _payment_overdue(s: Standing) -> str | None:
    if s.contract_amount is None or s.contract_due is None:
        return "it has no contract"
    if s.paid >= s.contract_amount or s.today <= s.contract_due:
        return (
            f"payment is not overdue: {s.paid} of {s.contract_amount} paid, "
            f"due {s.contract_due.isoformat()}"
        )
    return None


# What a change needs besides the state (None: nothing more); the reason when unmet.
NEEDS: Mapping[Change, Callable[[Standing], str | None]] = {
    c.SignContract: _contract_issued,
    c.AssignBooth: _booth_assignable,
    c.ConfirmParticipation: _confirmable,
    c.CancelForNonPayment: _payment_overdue,
}


def unmet(change: Change, standing: Standing) -> str | None:
    """Why `change` is not allowed beyond the state (checked once the state allows it)."""
    need = NEEDS.get(change)
    return need(standing) if need else None


def allowed(standing: Standing) -> list[Change]:
    """The changes the application's standing allows now, in the order of its life."""
    return [
        change
        for change, states in ALLOWED_IN.items()
        if standing.status in states
        and (not standing.opened or change in AFTER_OPENING)
        and unmet(change, standing) is None
    ]


def waitlist_priority(
    previous_editions: int, booth_size_sqm: int | None, arrival: int
) -> tuple[int, int, int]:
    """The waitlist's order (a booth freed goes to the first): more earlier editions
    exhibited first, then the larger booth wanted, then who came first (`arrival`: any
    number that grows as entries are added)."""
    return (-previous_editions, -(booth_size_sqm or 0), arrival)
