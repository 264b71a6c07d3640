"""One async function per command: load what it touches, let the aggregates decide,
append every change atomically (EventStorePort.execute_many). Each command of the
contract (pavilion_contracts.exhibitors.commands) has its handler here, registered with
`registry`, or in exhibitors.forgetting or exhibitors.editions (an edition's); the
service refuses to start without one. An application's rules read its edition as the
store holds it, loaded in the command's own session."""

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from pavilion_contracts.exhibitors import ApplicationStatus, WaitlistRemovalReason
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors import events as e
from pavilion_core.aggregate import Event
from pavilion_core.clock import Clock
from pavilion_core.commanding import Registry
from pavilion_core.envelope import NewEvent
from pavilion_core.eventstore import AppendResult, CommandContext, EventStorePort, Load
from pavilion_core.vault import pseudonym

from exhibitors.commands import RefuseConversion, StartConversion
from exhibitors.domain.application import ExhibitorApplication, application_id
from exhibitors.domain.conversion import conversion_id
from exhibitors.domain.floorplan import floor_plan_id
from exhibitors.domain.values import BoothRef, Contact, Edition
from exhibitors.session import ExhibitorsSession as Session

Step = Callable[[Session], Awaitable[None]]
registry = Registry(c.COMMANDS)


@dataclass(frozen=True)
class Handlers:
    store: EventStorePort
    clock: Clock

    async def run(self, primary: str, step: Step, ctx: CommandContext) -> AppendResult:
        """Run `step` on a session, decided as of now — or as of the time imported
        history happened (`ctx.occurred_at`): the rules as they applied then."""

        async def plan(load: Load) -> Mapping[str, Sequence[NewEvent]]:
            now = ctx.occurred_at or self.clock.now()  # each attempt's own, when live
            session = Session(load, self.store.stream_ids, now)
            await step(session)
            return session.new_events()

        return await self.store.execute_many(primary, plan, ctx)

    # -- one per command -----------------------------------------------------------

    @registry.handles(c.SubmitApplication)
    async def submit_application(
        self, cmd: c.SubmitApplication, ctx: CommandContext
    ) -> AppendResult:
        app_id = application_id(cmd.edition, cmd.organization_id, cmd.company_name)

        async def step(s: Session) -> None:
            await _submit(s, await s.application(app_id), cmd)

        return await self.run(app_id, step, ctx)

    async def start_conversion(self, cmd: StartConversion, ctx: CommandContext) -> AppendResult:
        """Start the application an interest's conversion asks for, refused as
        submit_application refuses; nothing when this conversion was refused before or
        the application already answers the interest (a redelivery, a replay, a
        second instance: the application's stream is the organization's)."""
        wanted = cmd.application
        app_id = application_id(wanted.edition, wanted.organization_id, wanted.company_name)
        interest = str(wanted.source_interest_id)

        async def step(s: Session) -> None:
            conversion, app = await s.conversion(interest), await s.application(app_id)
            if cmd.interest_version not in conversion.refused and app.source_interest != interest:
                await _submit(s, app, wanted)

        return await self.run(app_id, step, ctx)

    async def refuse_conversion(self, cmd: RefuseConversion, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            conversion = await s.conversion(cmd.interest_id)
            conversion.refuse(cmd.interest_version, cmd.code, cmd.reason)

        return await self.run(conversion_id(cmd.interest_id), step, ctx)

    @registry.handles(c.StartReview)
    async def start_review(self, cmd: c.StartReview, ctx: CommandContext) -> AppendResult:
        return await self._ruled(cmd.application_id, ctx, ExhibitorApplication.start_review)

    @registry.handles(c.ApproveApplication)
    async def approve_application(
        self, cmd: c.ApproveApplication, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            app = await s.application(str(cmd.application_id))
            was_waitlisted = app.status == ApplicationStatus.WAITLISTED
            app.approve(await s.edition_of(app), s.now)
            if was_waitlisted:
                waitlist = await s.waitlist(app.edition)
                waitlist.remove(app.id, WaitlistRemovalReason.APPROVED)

        return await self.run(str(cmd.application_id), step, ctx)

    @registry.handles(c.RejectApplication)
    async def reject_application(
        self, cmd: c.RejectApplication, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            app = await s.application(str(cmd.application_id))
            app.reject(cmd.reason, await s.edition_of(app), s.now)
            await _leave_waitlist(
                s, app, WaitlistRemovalReason.REJECTED, app.release_offer(cmd.reason)
            )

        return await self.run(str(cmd.application_id), step, ctx)

    @registry.handles(c.WaitlistApplication)
    async def waitlist_application(
        self, cmd: c.WaitlistApplication, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            app = await s.application(str(cmd.application_id))
            app.waitlist(await s.edition_of(app), s.now)
            waitlist = await s.waitlist(app.edition)
            waitlist.add(app.id, app.previous_editions, app.booth_size_sqm)

        return await self.run(str(cmd.application_id), step, ctx)

    @registry.handles(c.IssueContract)
    async def issue_contract(self, cmd: c.IssueContract, ctx: CommandContext) -> AppendResult:
        return await self._ruled(
            cmd.application_id, ctx, lambda a, edition, now: a.issue_contract(cmd, edition, now)
        )

    @registry.handles(c.SignContract)
    async def sign_contract(self, cmd: c.SignContract, ctx: CommandContext) -> AppendResult:
        return await self._ruled(cmd.application_id, ctx, ExhibitorApplication.sign_contract)

    @registry.handles(c.RecordPayment)
    async def record_payment(self, cmd: c.RecordPayment, ctx: CommandContext) -> AppendResult:
        return await self._ruled(
            cmd.application_id, ctx, lambda a, edition, now: a.record_payment(cmd, edition, now)
        )

    @registry.handles(c.AssignBooth)
    async def assign_booth(self, cmd: c.AssignBooth, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            app = await s.application(str(cmd.application_id))
            edition = await s.edition_of(app)
            plan = await s.floor_plan(app.edition, cmd.hall)
            booth = plan.booth(cmd.booth_code)
            app.assign_booth(plan.ref(booth.code), booth.size_sqm, edition, s.now)
            plan.allocate(booth.code, app.id)
            if app.offered_booth is not None:  # took another booth than the one offered
                await _free(s, app, app.release_offer("took another booth"))

        return await self.run(str(cmd.application_id), step, ctx)

    @registry.handles(c.ConfirmParticipation)
    async def confirm_participation(
        self, cmd: c.ConfirmParticipation, ctx: CommandContext
    ) -> AppendResult:
        return await self._ruled(cmd.application_id, ctx, ExhibitorApplication.confirm)

    @registry.handles(c.WithdrawApplication)
    async def withdraw_application(
        self, cmd: c.WithdrawApplication, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            app = await s.application(str(cmd.application_id))
            await _leave_waitlist(s, app, WaitlistRemovalReason.WITHDRAWN, app.withdraw(cmd.reason))

        return await self.run(str(cmd.application_id), step, ctx)

    @registry.handles(c.CancelForNonPayment)
    async def cancel_for_non_payment(
        self, cmd: c.CancelForNonPayment, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            app = await s.application(str(cmd.application_id))
            edition = await s.edition_of(app)
            await _free(s, app, app.cancel_for_non_payment(cmd.reason, edition, s.now))

        return await self.run(str(cmd.application_id), step, ctx)

    @registry.handles(c.UpdateProfile)
    async def update_profile(self, cmd: c.UpdateProfile, ctx: CommandContext) -> AppendResult:
        return await self._ruled(
            cmd.application_id, ctx, lambda a, edition, now: a.update_profile(cmd, edition, now)
        )

    @registry.handles(c.AddContact)
    async def add_contact(self, cmd: c.AddContact, ctx: CommandContext) -> AppendResult:
        contact = Contact.of(cmd)
        return await self._ruled(
            cmd.application_id, ctx, lambda a, edition, now: a.add_contact(contact, edition, now)
        )

    @registry.handles(c.RemoveContact)
    async def remove_contact(self, cmd: c.RemoveContact, ctx: CommandContext) -> AppendResult:
        email = cmd.email.lower()
        return await self._ruled(
            cmd.application_id, ctx, lambda a, edition, now: a.remove_contact(email, edition, now)
        )

    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        """The event alone; exhibitors.forgetting handles the command (and the keys)."""
        email = cmd.email.lower()
        return await self._simple(cmd.application_id, ctx, lambda a, s: a.forget_contact(email))

    async def contact_forgotten(
        self, app_id: str, pseudonyms: Collection[str], ctx: CommandContext
    ) -> AppendResult:
        """outreach forgot a contact whose address (by its keyed hashes) `app_id` names."""

        def decide(a: ExhibitorApplication, s: Session) -> list[Event]:
            return a.forget_address(lambda address: pseudonym(address) in pseudonyms)

        return await self._simple(UUID(app_id), ctx, decide)

    async def addresses_of(self, app_id: str) -> set[str]:
        """The addresses of the application's contact entries, as they read now."""
        app = ExhibitorApplication(app_id).replay(await self.store.read_stream(app_id))
        return {address for address in app.appearances if address}

    @registry.handles(c.SetSupplyChainAreas)
    async def set_supply_chain_areas(
        self, cmd: c.SetSupplyChainAreas, ctx: CommandContext
    ) -> AppendResult:
        areas = [a.value for a in dict.fromkeys(cmd.supply_chain_areas)]
        return await self._ruled(
            cmd.application_id, ctx, lambda a, edition, now: a.set_areas(areas, edition, now)
        )

    @registry.handles(c.SetProductCategories)
    async def set_product_categories(
        self, cmd: c.SetProductCategories, ctx: CommandContext
    ) -> AppendResult:
        return await self._ruled(
            cmd.application_id,
            ctx,
            lambda a, edition, now: a.set_categories(list(cmd.product_categories), edition, now),
        )

    @registry.handles(c.DefineBooth)
    async def define_booth(self, cmd: c.DefineBooth, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            edition = await s.edition(cmd.edition)
            plan = await s.floor_plan(edition.code, cmd.hall)
            plan.define(cmd.booth_code, cmd.size_sqm, cmd.supply_chain_area, edition)

        return await self.run(floor_plan_id(cmd.edition, cmd.hall), step, ctx)

    @registry.handles(c.RetireBooth)
    async def retire_booth(self, cmd: c.RetireBooth, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            plan = await s.floor_plan(cmd.edition, cmd.hall)
            plan.retire(cmd.booth_code)

        return await self.run(floor_plan_id(cmd.edition, cmd.hall), step, ctx)

    async def _ruled(
        self,
        app_id: UUID,
        ctx: CommandContext,
        decide: Callable[[ExhibitorApplication, Edition, datetime], list[Event]],
    ) -> AppendResult:
        """A command that changes the application alone, by the rules of its edition."""

        async def step(s: Session) -> None:
            app = await s.application(str(app_id))
            decide(app, await s.edition_of(app), s.now)

        return await self.run(str(app_id), step, ctx)

    async def _simple(
        self,
        app_id: UUID,
        ctx: CommandContext,
        decide: Callable[[ExhibitorApplication, Session], list[Event]],
    ) -> AppendResult:
        """A command that changes the application alone."""

        async def step(s: Session) -> None:
            decide(await s.application(str(app_id)), s)

        return await self.run(str(app_id), step, ctx)


async def _submit(s: Session, app: ExhibitorApplication, cmd: c.SubmitApplication) -> None:
    app.submit(cmd, await s.edition(cmd.edition), s.now)


async def _free(s: Session, app: ExhibitorApplication, events: list[Event]) -> None:
    """Record the application's events; every booth they give back is released on its
    floor plan and offered to the waitlist."""
    for event in events:
        if isinstance(event, e.BoothReleased):
            plan = await s.floor_plan(event.edition, event.hall)
            plan.release(event.booth_code, app.id, event.reason)
            await offer_to_waitlist(s, event.edition, BoothRef(event.hall, event.booth_code))


async def _leave_waitlist(
    s: Session, app: ExhibitorApplication, reason: WaitlistRemovalReason, events: list[Event]
) -> None:
    waitlist = await s.waitlist(app.edition)
    waitlist.remove(app.id, reason)
    await _free(s, app, events)


async def offer_to_waitlist(s: Session, edition: str, booth: BoothRef) -> None:
    """Offer a freed booth to the first waitlisted application that holds no offer."""
    waitlist = await s.waitlist(edition)
    plan = await s.floor_plan(edition, booth.hall)
    for candidate_id in waitlist.in_priority_order():
        candidate = await s.application(candidate_id)
        if candidate.status == ApplicationStatus.WAITLISTED and candidate.offered_booth is None:
            plan.offer(booth.code, candidate.id)
            waitlist.remove(candidate.id, WaitlistRemovalReason.OFFERED)
            candidate.offer(booth)
            return
