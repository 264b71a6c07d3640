"""One async function per command: load what it touches, let the aggregates decide,
append every change atomically (EventStorePort.execute_many)."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from pavilion_contracts.outreach import LegalBasis
from pavilion_core.aggregate import Event
from pavilion_core.clock import Clock
from pavilion_core.envelope import NewEvent
from pavilion_core.errors import InvalidValue, NotFound
from pavilion_core.eventstore import AppendResult, CommandContext, EventStorePort, Load

from outreach import commands as c
from outreach.domain.gatherings import outreach_event_stream
from outreach.domain.leads import follow_up_stream, interest_stream
from outreach.domain.parties import Contact, contact_stream, organization_stream
from outreach.domain.travel import delegation_stream, trip_stream
from outreach.domain.values import end_of, implied_expiry
from outreach.session import OutreachSession as Session

Step = Callable[[Session], Awaitable[None]]


@dataclass(frozen=True)
class Handlers:
    store: EventStorePort
    clock: Clock

    async def run(self, primary: str, step: Step, ctx: CommandContext) -> AppendResult:
        async def plan(load: Load) -> Mapping[str, Sequence[NewEvent]]:
            session = Session(load, self.clock.now())
            await step(session)
            return session.new_events()

        return await self.store.execute_many(primary, plan, ctx)

    # -- organizations and contacts ------------------------------------------------

    async def register_organization(
        self, cmd: c.RegisterOrganization, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            org = await s.organization(cmd.organization_id)
            org.register(cmd.name, cmd.kind, cmd.country, cmd.website)

        return await self.run(organization_stream(cmd.organization_id), step, ctx)

    async def update_organization(
        self, cmd: c.UpdateOrganization, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            org = await s.organization(cmd.organization_id)
            org.update(cmd.name, cmd.kind, cmd.country, cmd.website)

        return await self.run(organization_stream(cmd.organization_id), step, ctx)

    async def merge_organizations(
        self, cmd: c.MergeOrganizations, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            merged, survivor = (
                await s.organization(cmd.merged_id),
                await s.organization(cmd.survivor_id),
            )
            merged.merge_into(survivor)
            survivor.absorb(merged.id)

        return await self.run(organization_stream(cmd.merged_id), step, ctx)

    async def register_contact(self, cmd: c.RegisterContact, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            profile = vars(cmd.profile)
            if cmd.organization_id:
                (await s.organization(cmd.organization_id)).check_active()
            registry = await s.email(profile["email"])
            registry.claim(cmd.contact_id)
            contact = await s.contact(cmd.contact_id)
            if contact.exists:
                raise InvalidValue("contactId", f"contact {cmd.contact_id} already exists")
            contact.register(profile, cmd.organization_id)

        return await self.run(contact_stream(cmd.contact_id), step, ctx)

    async def update_contact(self, cmd: c.UpdateContact, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            contact = await s.contact(cmd.contact_id)
            old_email = contact.email
            contact.update(vars(cmd.profile))
            if contact.email != old_email:  # the new address must be free; the old one frees
                new, old = await s.email(contact.email), await s.email(old_email)
                new.claim(contact.id)
                old.release(contact.id)

        return await self.run(contact_stream(cmd.contact_id), step, ctx)

    async def link_contact(self, cmd: c.LinkContact, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.organization(cmd.organization_id)).check_active()
            contact = await s.contact(cmd.contact_id)
            contact.link(cmd.organization_id)

        return await self.run(contact_stream(cmd.contact_id), step, ctx)

    async def merge_contacts(self, cmd: c.MergeContacts, ctx: CommandContext) -> AppendResult:
        """The merged contact redirects to the survivor, which takes its address too."""

        async def step(s: Session) -> None:
            merged, survivor = await s.contact(cmd.merged_id), await s.contact(cmd.survivor_id)
            merged.merge_into(survivor)
            survivor.absorb(merged.id)
            registry = await s.email(merged.email)
            registry.release(merged.id) + registry.claim(survivor.id)

        return await self.run(contact_stream(cmd.merged_id), step, ctx)

    async def address_of(self, contact_id: str) -> str | None:
        """The contact's address as its stream reads now (None once its key is gone)."""
        return (await self._contact(contact_id)).email or None

    async def merged_into(self, contact_id: str) -> list[str]:
        """The contacts merged into this one, and into those, and so on."""
        found: list[str] = []
        for merged in (await self._contact(contact_id)).merged_from:
            found += [merged, *await self.merged_into(merged)]
        return found

    async def _contact(self, contact_id: str) -> Contact:
        return Contact(contact_id).replay(await self.store.read_stream(contact_stream(contact_id)))

    async def forget_contact(self, cmd: c.ForgetContact, ctx: CommandContext) -> AppendResult:
        """The contact is forgotten and every address it holds free again — its own and
        those of the contacts merged into it (so nothing maps them to it); forgetting it
        again appends nothing."""

        async def step(s: Session) -> None:
            contact = await s.contact(cmd.contact_id)
            forgotten = contact.forget()
            if forgotten and not contact.merged_into:  # a merged one's address went along
                for holder in [contact, *[await s.contact(m) for m in contact.merged_from]]:
                    if holder.email:
                        registry = await s.email(holder.email)
                        registry.release(contact.id)

        return await self.run(contact_stream(cmd.contact_id), step, ctx)

    async def grant_consent(self, cmd: c.GrantConsent, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            expires = None
            if cmd.legal_basis is LegalBasis.IMPLIED:
                if cmd.implied_by is None or cmd.implied_since is None:
                    raise InvalidValue(
                        "impliedBy", "implied consent needs impliedBy and impliedSince"
                    )
                expires = end_of(implied_expiry(cmd.implied_by, cmd.implied_since))
                if expires <= s.now:
                    raise InvalidValue("impliedSince", "that implied consent has already expired")
            contact = await s.contact(cmd.contact_id)
            contact.grant(cmd.channel, cmd.purpose, cmd.legal_basis, cmd.evidence, s.now, expires)

        return await self.run(contact_stream(cmd.contact_id), step, ctx)

    async def withdraw_consent(self, cmd: c.WithdrawConsent, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            contact = await s.contact(cmd.contact_id)
            contact.withdraw(cmd.channel, cmd.purpose, cmd.reason, s.now)

        return await self.run(contact_stream(cmd.contact_id), step, ctx)

    # -- delegations, trips, outreach events -----------------------------------------

    async def form_delegation(self, cmd: c.FormDelegation, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.contact(cmd.leader_id)).check_active()
            delegation = await s.delegation(cmd.delegation_id)
            delegation.form(cmd.name, cmd.organizer, cmd.leader_id, cmd.purpose)

        return await self.run(delegation_stream(cmd.delegation_id), step, ctx)

    async def change_delegation_member(
        self, cmd: c.ChangeDelegationMember, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            delegation = await s.delegation(cmd.delegation_id)
            if cmd.add:
                (await s.contact(cmd.contact_id)).check_active()
                delegation.add_member(cmd.contact_id)
            # removing a forgotten member is allowed: it records less about them, not more
            else:
                delegation.remove_member(cmd.contact_id)

        return await self.run(delegation_stream(cmd.delegation_id), step, ctx)

    async def plan_trip(self, cmd: c.PlanTrip, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            if not (await s.delegation(cmd.delegation_id)).version:
                raise NotFound(f"no delegation {cmd.delegation_id}")
            trip = await s.trip(cmd.trip_id)
            trip.plan(cmd.delegation_id, cmd.name, list(cmd.stops))

        return await self.run(trip_stream(cmd.trip_id), step, ctx)

    async def add_trip_stop(self, cmd: c.AddTripStop, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            trip = await s.trip(cmd.trip_id)
            trip.add_stop(cmd.stop)

        return await self.run(trip_stream(cmd.trip_id), step, ctx)

    async def reschedule_trip_stop(
        self, cmd: c.RescheduleTripStop, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            trip = await s.trip(cmd.trip_id)
            trip.reschedule_stop(cmd.index, cmd.starts_on, cmd.ends_on)

        return await self.run(trip_stream(cmd.trip_id), step, ctx)

    async def change_trip_status(
        self, cmd: c.ChangeTripStatus, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            trip = await s.trip(cmd.trip_id)
            decide: Callable[[], list[Event]] = {
                "start": trip.start,
                "complete": trip.complete,
                "cancel": lambda: trip.cancel(cmd.reason),
            }[cmd.action]
            decide()

        return await self.run(trip_stream(cmd.trip_id), step, ctx)

    async def schedule_event(
        self, cmd: c.ScheduleOutreachEvent, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            trip, event = await s.trip(cmd.trip_id), await s.event(cmd.event_id)
            event.schedule(
                trip,
                cmd.stop_index,
                cmd.name,
                cmd.kind,
                cmd.venue,
                cmd.starts_at,
                cmd.ends_at,
                cmd.capacity,
            )

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    async def reschedule_event(
        self, cmd: c.RescheduleOutreachEvent, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            event = await s.event(cmd.event_id)
            event.check_exists()
            trip = await s.trip(event.trip_id)
            event.reschedule(trip, cmd.starts_at, cmd.ends_at)

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    async def hold_event(self, cmd: c.HoldOutreachEvent, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            event = await s.event(cmd.event_id)
            event.hold(s.now)

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    async def cancel_event(self, cmd: c.CancelOutreachEvent, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            event = await s.event(cmd.event_id)
            event.cancel(cmd.reason)

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    async def invite_contact(self, cmd: c.InviteContact, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            contact, event = await s.contact(cmd.contact_id), await s.event(cmd.event_id)
            event.invite(contact, s.now)

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    async def record_rsvp(self, cmd: c.RecordRsvp, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.contact(cmd.contact_id)).check_remembered()
            event = await s.event(cmd.event_id)
            event.rsvp(cmd.contact_id, cmd.accept)

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    async def record_attendance(self, cmd: c.RecordAttendance, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            (await s.contact(cmd.contact_id)).check_remembered()
            event = await s.event(cmd.event_id)
            event.record_attendance(cmd.contact_id, cmd.attended, s.now)

        return await self.run(outreach_event_stream(cmd.event_id), step, ctx)

    # -- interests, follow-ups, notes ---------------------------------------------------

    async def capture_interest(self, cmd: c.CaptureInterest, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            contact = await s.contact(cmd.contact_id)
            contact.check_active()
            organization_id = cmd.organization_id or contact.organization_id
            if organization_id is None:
                raise InvalidValue(
                    "organizationId", f"contact {contact.id} has no organization: name one"
                )
            if cmd.source_event_id and not (await s.event(cmd.source_event_id)).version:
                raise NotFound(f"no outreach event {cmd.source_event_id}")
            interest = await s.interest(cmd.interest_id)
            interest.capture(
                contact,
                await s.organization(organization_id),
                cmd.source_event_id,
                cmd.kind,
                cmd.edition,
                [a.value for a in cmd.supply_chain_areas],
                list(cmd.product_categories),
            )

        return await self.run(interest_stream(cmd.interest_id), step, ctx)

    async def change_interest(self, cmd: c.ChangeInterest, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            interest = await s.interest(cmd.interest_id)
            if cmd.action == "convert":
                interest.check_exists()
                contact = await s.contact(interest.contact_id)
                organization = await s.organization(interest.organization_id)
                interest.convert(contact, organization)
                return
            decide: Callable[[], list[Event]] = {
                "qualify": interest.qualify,
                "nurture": interest.nurture,
                "lose": lambda: interest.lose(cmd.reason),
                "assign": lambda: interest.assign_owner(cmd.owner),
            }[cmd.action]
            decide()

        return await self.run(interest_stream(cmd.interest_id), step, ctx)

    async def schedule_follow_up(
        self, cmd: c.ScheduleFollowUp, ctx: CommandContext
    ) -> AppendResult:
        async def step(s: Session) -> None:
            await _check_not_forgotten(s, cmd.subject_id)
            follow_up = await s.follow_up(cmd.follow_up_id)
            follow_up.schedule(cmd.subject_id, cmd.owner, cmd.due_at, cmd.note)

        return await self.run(follow_up_stream(cmd.follow_up_id), step, ctx)

    async def change_follow_up(self, cmd: c.ChangeFollowUp, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            follow_up = await s.follow_up(cmd.follow_up_id)
            if cmd.action == "reschedule":
                assert cmd.due_at is not None
                follow_up.reschedule(cmd.due_at)
            elif cmd.action == "complete":
                follow_up.complete(cmd.text)
            else:
                follow_up.cancel(cmd.text)

        return await self.run(follow_up_stream(cmd.follow_up_id), step, ctx)

    async def announce_overdue(self, follow_up_id: str, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            follow_up = await s.follow_up(follow_up_id)
            follow_up.announce_overdue(s.now)

        return await self.run(follow_up_stream(follow_up_id), step, ctx)

    async def add_note(self, cmd: c.AddNote, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            subject = await {
                "organization": s.organization,
                "contact": s.contact,
                "event": s.event,
                "interest": s.interest,
            }[cmd.subject_kind](cmd.subject_id)
            subject.add_note(cmd.note_id, cmd.text)  # type: ignore[attr-defined]

        return await self.run(_note_stream(cmd), step, ctx)

    async def application_submitted(
        self, interest_id: str, application_id: str, ctx: CommandContext
    ) -> AppendResult:
        """exhibitors' ApplicationSubmitted named this interest: mark it converted."""

        async def step(s: Session) -> None:
            interest = await s.interest(interest_id)
            interest.check_exists()
            contact = await s.contact(interest.contact_id)
            organization = await s.organization(interest.organization_id)
            interest.application_submitted(application_id, contact, organization)

        return await self.run(interest_stream(interest_id), step, ctx)

    async def conversion_refused(
        self, interest_id: str, interest_version: int, reason: tuple[str, str], ctx: CommandContext
    ) -> AppendResult:
        """exhibitors' ConversionRefused: the conversion is undone, with the reason."""

        async def step(s: Session) -> None:
            interest = await s.interest(interest_id)
            interest.conversion_refused(interest_version, *reason)

        return await self.run(interest_stream(interest_id), step, ctx)


async def _check_not_forgotten(s: Session, subject_id: str) -> None:
    """A subject that is a contact must not be a forgotten one (any other kind of record
    is not a contact: NOT_FOUND as one)."""
    try:
        contact = await s.contact(subject_id)
    except NotFound:
        return
    if contact.exists:
        contact.check_remembered()


def _note_stream(cmd: c.AddNote) -> str:
    return {
        "organization": organization_stream,
        "contact": contact_stream,
        "event": outreach_event_stream,
        "interest": interest_stream,
    }[cmd.subject_kind](cmd.subject_id)
