"""A harness for exhibitor stories: handlers over the in-memory store and a fixed clock,
and shortcuts that bring an application to a given state."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import count

from exhibitors.domain import values
from exhibitors.domain.application import ExhibitorApplication
from exhibitors.domain.edition import Edition, edition_id
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.domain.waitlist import Waitlist, waitlist_id
from exhibitors.editions import EditionHandlers, seed
from exhibitors.handlers import Handlers
from pavilion_contracts.exhibitors import ApplicationStatus, SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_core.envelope import Metadata, RecordedEvent
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.testing import FixedClock, InMemoryEventStore

EDITION = "CISCE-2026"
BEFORE_OPENING = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
AFTER_OPENING = datetime(2026, 6, 23, 9, 0, tzinfo=UTC)
CONTRACT = 100_000_00  # CNY 100,000.00 in fen
S = ApplicationStatus
_names = count(1)


def ctx(**kw: object) -> CommandContext:
    return CommandContext(Metadata(correlation_id="story", actor="organizer"), **kw)  # type: ignore[arg-type]


def seeded(store: InMemoryEventStore | None = None) -> InMemoryEventStore:
    """A store (new, or `store`) that holds the packaged seed's editions, as a started
    service's does."""
    store = InMemoryEventStore() if store is None else store
    for create in seed():
        record = Edition(create.code)
        record.create(create)
        store.given(record.stream_id, record.pending)
    return store


@dataclass
class Expo:
    store: InMemoryEventStore = field(default_factory=seeded)
    clock: FixedClock = field(default_factory=lambda: FixedClock(BEFORE_OPENING))

    @property
    def h(self) -> Handlers:
        return Handlers(self.store, self.clock)

    async def application(self, app_id: str) -> ExhibitorApplication:
        return ExhibitorApplication(app_id).replay(await self.store.read_stream(app_id))

    @property
    def editions(self) -> EditionHandlers:
        return EditionHandlers(self.h)

    async def edition(self, code: str = EDITION) -> values.Edition:
        return Edition(code).replay(await self.store.read_stream(edition_id(code))).terms

    async def floor_plan(self, hall: str = "A") -> FloorPlan:
        return FloorPlan(EDITION, hall).replay(
            await self.store.read_stream(floor_plan_id(EDITION, hall))
        )

    async def waitlist(self) -> list[str]:
        history = await self.store.read_stream(waitlist_id(EDITION))
        return Waitlist(EDITION).replay(history).in_priority_order()

    def events_of(self, stream_id: str) -> list[RecordedEvent]:
        return list(self.store.streams.get(stream_id, []))

    async def new_events(
        self, action: Callable[[], Awaitable[AppendResult]]
    ) -> list[tuple[str, str]]:
        """Run `action`; return (stream, event type) of everything it appended."""
        before = self.store.position
        await action()
        return [(e.stream_id, e.type) for e in self.store.all_events() if e.position > before]

    # -- givens ---------------------------------------------------------------------

    async def define_booths(self, *codes: str, hall: str = "A", size: int = 18) -> None:
        for code in codes:
            await self.h.define_booth(
                c.DefineBooth(
                    edition=EDITION,
                    hall=hall,
                    booth_code=code,
                    size_sqm=size,
                    supply_chain_area=SupplyChainArea.CLEAN_ENERGY,
                ),
                ctx(),
            )

    async def submitted(
        self, name: str | None = None, *, previous: int = 0, size: int | None = None
    ) -> str:
        command = c.SubmitApplication(
            edition=EDITION,
            company_name=name or f"Company {next(_names)}",
            country="CA",
            supply_chain_areas=(SupplyChainArea.CLEAN_ENERGY,),
            contacts=[c.ApplicantContactIn(name="Ana Silva", email="ana@example.com")],
            previous_editions=previous,
            booth_size_sqm=size,
        )
        return (await self.h.submit_application(command, ctx())).stream_id

    async def holding(self, code: str, hall: str = "A") -> str:
        """A contracted application, paid in full, that holds booth `code`."""
        app_id = await self.in_state(S.CONTRACTED)
        full = c.RecordPayment(
            application_id=app_id, amount=CONTRACT, currency="CNY", reference="full"
        )
        await self.h.record_payment(full, ctx())
        await self.h.assign_booth(
            c.AssignBooth(application_id=app_id, hall=hall, booth_code=code), ctx()
        )
        return app_id

    async def in_state(self, status: S, **kw: object) -> str:
        """An application brought to `status` by the usual path."""
        app_id = await self.submitted(**kw)  # type: ignore[arg-type]
        for step in _PATH[status]:
            await step(self, app_id)
        return app_id


async def _review(x: Expo, a: str) -> None:
    await x.h.start_review(c.StartReview(application_id=a), ctx())


async def _approve(x: Expo, a: str) -> None:
    await x.h.approve_application(c.ApproveApplication(application_id=a), ctx())


async def _contract(x: Expo, a: str) -> None:
    await x.h.issue_contract(
        c.IssueContract(
            application_id=a, amount=CONTRACT, currency="CNY", due_date=date(2026, 3, 31)
        ),
        ctx(),
    )
    await x.h.sign_contract(c.SignContract(application_id=a), ctx())


async def _deposit(x: Expo, a: str) -> None:
    await x.h.record_payment(
        c.RecordPayment(
            application_id=a, amount=CONTRACT // 2, currency="CNY", reference="deposit"
        ),
        ctx(),
    )


async def _booth_and_rest(x: Expo, a: str) -> None:
    code = f"Z-{a[:8]}"
    await x.define_booths(code, hall="Z")
    await x.h.assign_booth(c.AssignBooth(application_id=a, hall="Z", booth_code=code), ctx())
    await x.h.record_payment(
        c.RecordPayment(
            application_id=a, amount=CONTRACT - CONTRACT // 2, currency="CNY", reference="rest"
        ),
        ctx(),
    )
    await x.h.confirm_participation(c.ConfirmParticipation(application_id=a), ctx())


async def _reject(x: Expo, a: str) -> None:
    await x.h.reject_application(
        c.RejectApplication(application_id=a, reason="out of scope"), ctx()
    )


async def _waitlist(x: Expo, a: str) -> None:
    await x.h.waitlist_application(c.WaitlistApplication(application_id=a), ctx())


async def _withdraw(x: Expo, a: str) -> None:
    await x.h.withdraw_application(
        c.WithdrawApplication(application_id=a, reason="changed plans"), ctx()
    )


async def _cancel(x: Expo, a: str) -> None:
    x.clock.current = datetime(2026, 4, 2, tzinfo=UTC)  # past the contract's due date
    await x.h.cancel_for_non_payment(
        c.CancelForNonPayment(application_id=a, reason="deposit not paid"), ctx()
    )
    x.clock.current = BEFORE_OPENING


_PATH: dict[S, list[Callable[[Expo, str], Awaitable[None]]]] = {
    S.SUBMITTED: [],
    S.UNDER_REVIEW: [_review],
    S.APPROVED: [_review, _approve],
    S.REJECTED: [_review, _reject],
    S.WAITLISTED: [_review, _waitlist],
    S.CONTRACTED: [_review, _approve, _contract],
    S.CONFIRMED: [_review, _approve, _contract, _deposit, _booth_and_rest],
    S.WITHDRAWN: [_withdraw],
    S.CANCELLED: [_review, _approve, _contract, _cancel],
}
