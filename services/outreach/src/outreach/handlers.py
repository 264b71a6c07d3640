"""One async function per command of the outreach contract (registered to it): load
what it touches, let the aggregates decide, append every change atomically
(EventStorePort.execute_many). A command that creates a record gets its id here."""

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import uuid4

from pavilion_contracts.outreach import LegalBasis
from pavilion_contracts.outreach import commands as c
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.clock import Clock
from pavilion_core.commanding import Registry
from pavilion_core.envelope import NewEvent
from pavilion_core.errors import InvalidValue, NotFound
from pavilion_core.eventstore import AppendResult, CommandContext, EventStorePort, Load

from outreach.domain.gatherings import outreach_event_stream
from outreach.domain.leads import FollowUp, Interest, follow_up_stream, interest_stream
from outreach.domain.parties import Contact, contact_stream, organization_stream
from outreach.domain.travel import Stop, delegation_stream, trip_stream
from outreach.domain.values import e164, end_of, implied_expiry, utc
from outreach.session import OutreachSession as Session

Step = Callable[[Session], Awaitable[None]]
registry = Registry(c.COMMANDS)


def new_id() -> str:
    return str(uuid4())


@dataclass(frozen=True)
class Handlers:
    store: EventStorePort
    clock: Clock

    async def run(
        self, primary: str, step: Step, ctx: CommandContext, kind: type[Aggregate] | None = None
    ) -> AppendResult:
        """Run `step` on fresh state; `kind`: the primary record's, whose bookkeeping
        events do not make the caller's expected version stale."""

        async def plan(load: Load) -> Mapping[str, Sequence[NewEvent]]:
            session = Session(load, self.clock.now())
            await step(session)
            return session.new_events()

        bookkeeping = kind.bookkeeping_types() if kind else frozenset()
        return await self.store.execute_many(primary, plan, ctx, bookkeeping)

    # -- organizations and contacts ------------------------------------------------

    @registry.handles(c.RegisterOrganization)
    async def register_organization(
        self, cmd: c.RegisterOrganization, ctx: CommandContext
    ) -> AppendResult:
        organization_id = new_id()

        async def step(s: Session) -> None:
            org = await s.organization(organization_id)
            org.register(cmd.name, cmd.kind, cmd.country, cmd.website)

        return await self.run(organization_stream(organization_id), step, ctx)

    @registry.handles(c.UpdateOrganization)
    async def update_organization(
        self, cmd: c.UpdateOrganization, ctx: CommandContext
    ) -> AppendResult:
        organization_id = str(cmd.organization_id)

        async def step(s: Session) -> None:
            org = await s.organization(organization_id)
            org.update(cmd.name, cmd.kind, cmd.country, cmd.website)

        return await self.run(organization_stream(organization_id), step, ctx)

    @registry.handles(c.MergeOrganizations)
    async def merge_organizations(
        self, cmd: c.MergeOrganizations, ctx: CommandContext
    ) -> AppendResult:
        merged_id = str(cmd.organization_id)

        async def step(s: Session) -> None:
            merged, survivor = (
                await s.organization(merged_id),
                await s.organization(str(cmd.survivor_id)),
            )
            merged.merge_into(survivor)
            survivor.absorb(merged.id)

        return await self.run(organization_stream(merged_id), step, ctx)

    @registry.handles(c.RegisterContact)
    async def register_contact(self, cmd: c.RegisterContact, ctx: CommandContext) -> AppendResult:
        contact_id = new_id()
        organization_id = str(cmd.organization_id) if cmd.organization_id else None

        async def step(s: Session) -> None:
            profile = _profile(cmd, cmd.country)
            if organization_id:
                (await s.organization(organization_id)).check_active()
            registry = await s.email(profile["email"])
            registry.claim(contact_id)
            contact = await s.contact(contact_id)
            contact.register(profile, organization_id)

        return await self.run(contact_stream(contact_id), step, ctx)

    @registry.handles(c.UpdateContact)
    async def update_contact(self, cmd: c.UpdateContact, ctx: CommandContext) -> AppendResult:
        contact_id = str(cmd.contact_id)

        async def step(s: Session) -> None:
            contact = await s.contact(contact_id)
            old_email = contact.email
            contact.update(_profile(cmd, cmd.country or contact.country))
            if contact.email != old_email:  # the new address must be free; the old one frees
                new, old = await s.email(contact.email), await s.email(old_email)
                new.claim(contact.id)
                old.release(contact.id)

        return await self.run(contact_stream(contact_id), step, ctx)

    @registry.handles(c.LinkContact)
    async def link_contact(self, cmd: c.LinkContact, ctx: CommandContext) -> AppendResult:
        contact_id, organization_id = str(cmd.contact_id), str(cmd.organization_id)

        async def step(s: Session) -> None:
            (await s.organization(organization_id)).check_active()
            contact = await s.contact(contact_id)
            contact.link(organization_id)

        return await self.run(contact_stream(contact_id), step, ctx)

    @registry.handles(c.MergeContacts)
    async def merge_contacts(self, cmd: c.MergeContacts, ctx: CommandContext) -> AppendResult:
        """The merged contact redirects to the survivor, which takes its address too."""
        merged_id, survivor_id = str(cmd.contact_id), str(cmd.survivor_id)

        async def step(s: Session) -> None:
            merged, survivor = await s.contact(merged_id), await s.contact(survivor_id)
            merged.merge_into(survivor)
            survivor.absorb(merged.id)
            registry = await s.email(merged.email)
            registry.release(merged.id) + registry.claim(survivor.id)

        return await self.run(contact_stream(merged_id), step, ctx)

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

    async def forget_contact(
        self, contact_id: str, ctx: CommandContext, applications: Sequence[str] = ()
    ) -> AppendResult:
        """The contact is forgotten and every address it holds free again — its own and
        those of the contacts merged into it (so nothing maps them to it); forgetting it
        again appends nothing. `applications` name their address as a contact person's.
        (The command is Forgetting's, which destroys the keys.)"""

        async def step(s: Session) -> None:
            contact = await s.contact(contact_id)
            forgotten = contact.forget(applications)
            if forgotten and not contact.merged_into:  # a merged one's address went along
                for holder in [contact, *[await s.contact(m) for m in contact.merged_from]]:
                    if holder.email:
                        registry = await s.email(holder.email)
                        registry.release(contact.id)

        return await self.run(contact_stream(contact_id), step, ctx)

    @registry.handles(c.GrantConsent)
    async def grant_consent(self, cmd: c.GrantConsent, ctx: CommandContext) -> AppendResult:
        contact_id = str(cmd.contact_id)

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
            contact = await s.contact(contact_id)
            contact.grant(cmd.channel, cmd.purpose, cmd.legal_basis, cmd.evidence, s.now, expires)

        return await self.run(contact_stream(contact_id), step, ctx)

    @registry.handles(c.WithdrawConsent)
    async def withdraw_consent(self, cmd: c.WithdrawConsent, ctx: CommandContext) -> AppendResult:
        contact_id = str(cmd.contact_id)

        async def step(s: Session) -> None:
            contact = await s.contact(contact_id)
            contact.withdraw(cmd.channel, cmd.purpose, cmd.reason, s.now)

        return await self.run(contact_stream(contact_id), step, ctx)

    # -- delegations, trips, outreach events -----------------------------------------

    @registry.handles(c.FormDelegation)
    async def form_delegation(self, cmd: c.FormDelegation, ctx: CommandContext) -> AppendResult:
        delegation_id, leader_id = new_id(), str(cmd.leader_id)

        async def step(s: Session) -> None:
            (await s.contact(leader_id)).check_active()
            delegation = await s.delegation(delegation_id)
            delegation.form(cmd.name, cmd.organizer, leader_id, cmd.purpose)

        return await self.run(delegation_stream(delegation_id), step, ctx)

    @registry.handles(c.AddDelegationMember, c.RemoveDelegationMember)
    async def change_delegation_member(
        self, cmd: c.DelegationMemberChange, ctx: CommandContext
    ) -> AppendResult:
        delegation_id, contact_id = str(cmd.delegation_id), str(cmd.contact_id)

        async def step(s: Session) -> None:
            delegation = await s.delegation(delegation_id)
            if isinstance(cmd, c.AddDelegationMember):
                (await s.contact(contact_id)).check_active()
                delegation.add_member(contact_id)
            # removing a forgotten member is allowed: it records less about them, not more
            else:
                delegation.remove_member(contact_id)

        return await self.run(delegation_stream(delegation_id), step, ctx)

    @registry.handles(c.PlanTrip)
    async def plan_trip(self, cmd: c.PlanTrip, ctx: CommandContext) -> AppendResult:
        trip_id, delegation_id = new_id(), str(cmd.delegation_id)

        async def step(s: Session) -> None:
            if not (await s.delegation(delegation_id)).version:
                raise NotFound(f"no delegation {delegation_id}")
            trip = await s.trip(trip_id)
            trip.plan(delegation_id, cmd.name, [_stop(stop) for stop in cmd.stops])

        return await self.run(trip_stream(trip_id), step, ctx)

    @registry.handles(c.AddTripStop)
    async def add_trip_stop(self, cmd: c.AddTripStop, ctx: CommandContext) -> AppendResult:
        trip_id = str(cmd.trip_id)

        async def step(s: Session) -> None:
            trip = await s.trip(trip_id)
            trip.add_stop(_stop(cmd))

        return await self.run(trip_stream(trip_id), step, ctx)

    @registry.handles(c.RescheduleTripStop)
    async def reschedule_trip_stop(
        self, cmd: c.RescheduleTripStop, ctx: CommandContext
    ) -> AppendResult:
        trip_id = str(cmd.trip_id)

        async def step(s: Session) -> None:
            trip = await s.trip(trip_id)
            trip.reschedule_stop(cmd.stop_index, cmd.starts_on, cmd.ends_on)

        return await self.run(trip_stream(trip_id), step, ctx)

    @registry.handles(c.StartTrip, c.CompleteTrip, c.CancelTrip)
    async def change_trip_status(self, cmd: c.TripChange, ctx: CommandContext) -> AppendResult:
        trip_id = str(cmd.trip_id)

        async def step(s: Session) -> None:
            trip = await s.trip(trip_id)
            if isinstance(cmd, c.CancelTrip):
                trip.cancel(cmd.reason)
            else:
                (trip.start if isinstance(cmd, c.StartTrip) else trip.complete)()

        return await self.run(trip_stream(trip_id), step, ctx)

    @registry.handles(c.ScheduleOutreachEvent)
    async def schedule_event(
        self, cmd: c.ScheduleOutreachEvent, ctx: CommandContext
    ) -> AppendResult:
        event_id = new_id()

        async def step(s: Session) -> None:
            trip, event = await s.trip(str(cmd.trip_id)), await s.event(event_id)
            event.schedule(
                trip,
                cmd.stop_index,
                cmd.name,
                cmd.kind,
                cmd.venue,
                utc(cmd.starts_at),
                utc(cmd.ends_at),
                cmd.capacity,
            )

        return await self.run(outreach_event_stream(event_id), step, ctx)

    @registry.handles(c.RescheduleOutreachEvent)
    async def reschedule_event(
        self, cmd: c.RescheduleOutreachEvent, ctx: CommandContext
    ) -> AppendResult:
        event_id = str(cmd.event_id)

        async def step(s: Session) -> None:
            event = await s.event(event_id)
            event.check_exists()
            trip = await s.trip(event.trip_id)
            event.reschedule(trip, utc(cmd.starts_at), utc(cmd.ends_at))

        return await self.run(outreach_event_stream(event_id), step, ctx)

    @registry.handles(c.HoldOutreachEvent)
    async def hold_event(self, cmd: c.HoldOutreachEvent, ctx: CommandContext) -> AppendResult:
        event_id = str(cmd.event_id)

        async def step(s: Session) -> None:
            event = await s.event(event_id)
            event.hold(s.now)

        return await self.run(outreach_event_stream(event_id), step, ctx)

    @registry.handles(c.CancelOutreachEvent)
    async def cancel_event(self, cmd: c.CancelOutreachEvent, ctx: CommandContext) -> AppendResult:
        event_id = str(cmd.event_id)

        async def step(s: Session) -> None:
            event = await s.event(event_id)
            event.cancel(cmd.reason)

        return await self.run(outreach_event_stream(event_id), step, ctx)

    @registry.handles(c.InviteContact)
    async def invite_contact(self, cmd: c.InviteContact, ctx: CommandContext) -> AppendResult:
        event_id, contact_id = str(cmd.event_id), str(cmd.contact_id)

        async def step(s: Session) -> None:
            contact, event = await s.contact(contact_id), await s.event(event_id)
            event.invite(contact, s.now)

        return await self.run(outreach_event_stream(event_id), step, ctx)

    @registry.handles(c.RecordRsvp)
    async def record_rsvp(self, cmd: c.RecordRsvp, ctx: CommandContext) -> AppendResult:
        event_id, contact_id = str(cmd.event_id), str(cmd.contact_id)

        async def step(s: Session) -> None:
            (await s.contact(contact_id)).check_remembered()
            event = await s.event(event_id)
            event.rsvp(contact_id, cmd.accept)

        return await self.run(outreach_event_stream(event_id), step, ctx)

    @registry.handles(c.RecordAttendance)
    async def record_attendance(self, cmd: c.RecordAttendance, ctx: CommandContext) -> AppendResult:
        event_id, contact_id = str(cmd.event_id), str(cmd.contact_id)

        async def step(s: Session) -> None:
            (await s.contact(contact_id)).check_remembered()
            event = await s.event(event_id)
            event.record_attendance(contact_id, cmd.attended, s.now)

        return await self.run(outreach_event_stream(event_id), step, ctx)

    # -- interests, follow-ups, notes ---------------------------------------------------

    @registry.handles(c.CaptureInterest)
    async def capture_interest(self, cmd: c.CaptureInterest, ctx: CommandContext) -> AppendResult:
        interest_id, contact_id = new_id(), str(cmd.contact_id)
        source_event_id = str(cmd.source_event_id) if cmd.source_event_id else None

        async def step(s: Session) -> None:
            contact = await s.contact(contact_id)
            contact.check_active()
            organization_id = (
                str(cmd.organization_id) if cmd.organization_id else contact.organization_id
            )
            if organization_id is None:
                raise InvalidValue(
                    "organizationId", f"contact {contact.id} has no organization: name one"
                )
            if source_event_id and not (await s.event(source_event_id)).version:
                raise NotFound(f"no outreach event {source_event_id}")
            interest = await s.interest(interest_id)
            interest.capture(
                contact,
                await s.organization(organization_id),
                source_event_id,
                cmd.kind,
                cmd.edition,
                [a.value for a in dict.fromkeys(cmd.supply_chain_areas)],
                list(cmd.product_categories),
            )

        return await self.run(interest_stream(interest_id), step, ctx)

    @registry.handles(
        c.QualifyInterest,
        c.NurtureInterest,
        c.ConvertInterest,
        c.MarkInterestLost,
        c.AssignInterestOwner,
    )
    async def change_interest(self, cmd: c.InterestChange, ctx: CommandContext) -> AppendResult:
        interest_id = str(cmd.interest_id)

        async def step(s: Session) -> None:
            interest = await s.interest(interest_id)
            if isinstance(cmd, c.ConvertInterest):
                interest.check_exists()
                contact = await s.contact(interest.contact_id)
                organization = await s.organization(interest.organization_id)
                interest.convert(contact, organization)
            elif isinstance(cmd, c.MarkInterestLost):
                interest.check_exists()  # the reason is text about the interest's contact
                await _check_remembered(s, interest.contact_id)
                interest.lose(cmd.reason)
            elif isinstance(cmd, c.AssignInterestOwner):
                interest.assign_owner(cmd.owner)
            else:
                (interest.qualify if isinstance(cmd, c.QualifyInterest) else interest.nurture)()

        return await self.run(interest_stream(interest_id), step, ctx)

    @registry.handles(c.ScheduleFollowUp)
    async def schedule_follow_up(
        self, cmd: c.ScheduleFollowUp, ctx: CommandContext
    ) -> AppendResult:
        follow_up_id, subject_id = new_id(), str(cmd.subject_id)

        async def step(s: Session) -> None:
            about = await _contact_about(s, subject_id)
            follow_up = await s.follow_up(follow_up_id)
            follow_up.schedule(subject_id, about, cmd.owner, utc(cmd.due_at), cmd.note)

        return await self.run(follow_up_stream(follow_up_id), step, ctx)

    @registry.handles(c.RescheduleFollowUp, c.CompleteFollowUp, c.CancelFollowUp)
    async def change_follow_up(self, cmd: c.FollowUpChange, ctx: CommandContext) -> AppendResult:
        follow_up_id = str(cmd.follow_up_id)

        async def step(s: Session) -> None:
            follow_up = await s.follow_up(follow_up_id)
            if isinstance(cmd, c.RescheduleFollowUp):
                follow_up.reschedule(utc(cmd.due_at))
                return
            await _check_remembered(s, follow_up.contact_id)  # the text is about them
            if isinstance(cmd, c.CompleteFollowUp):
                follow_up.complete(cmd.outcome)
            elif isinstance(cmd, c.CancelFollowUp):
                follow_up.cancel(cmd.reason)

        return await self.run(follow_up_stream(follow_up_id), step, ctx, FollowUp)

    async def announce_overdue(self, follow_up_id: str, ctx: CommandContext) -> AppendResult:
        async def step(s: Session) -> None:
            follow_up = await s.follow_up(follow_up_id)
            follow_up.announce_overdue(s.now)

        return await self.run(follow_up_stream(follow_up_id), step, ctx)

    @registry.handles(
        c.AddOrganizationNote, c.AddContactNote, c.AddOutreachEventNote, c.AddInterestNote
    )
    async def add_note(self, cmd: c.AddNote, ctx: CommandContext) -> AppendResult:
        record_id, note_id = str(cmd.record_id), new_id()
        load, stream = _NOTED[type(cmd)]

        async def step(s: Session) -> None:
            record = await load(s, record_id)
            if isinstance(record, Interest) and record.version:  # a note on their lead
                await _check_remembered(s, record.contact_id)
            record.add_note(note_id, cmd.text)

        return await self.run(stream(record_id), step, ctx)

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


async def _contact_about(s: Session, subject_id: str) -> str | None:
    """The contact a record is about: the record itself if it is a contact, else an
    interest's contact, else none. A forgotten one refuses (FORGOTTEN): text about them
    would be recorded."""
    try:
        contact = await s.contact(subject_id)
    except NotFound:  # a record of another kind
        try:
            interest = await s.interest(subject_id)
        except NotFound:
            return None
        return await _check_remembered(s, interest.contact_id)
    return await _check_remembered(s, contact.id) if contact.exists else None


async def _check_remembered(s: Session, contact_id: str | None) -> str | None:
    """`contact_id`, unless it names a forgotten contact (FORGOTTEN)."""
    if contact_id:
        (await s.contact(contact_id)).check_remembered()
    return contact_id


def _profile(cmd: c.ContactProfile, country: str | None) -> dict[str, Any]:
    """The profile as the contact holds it: the address lower-cased, the phone in E.164
    (read in `country` when it has no prefix)."""
    profile = cmd.model_dump(include=set(c.ContactProfile.model_fields))
    if cmd.email:
        profile["email"] = cmd.email.lower()
    if cmd.phone:
        profile["phone"] = e164(cmd.phone, country)
    return profile


def _stop(stop: c.StopIn) -> Stop:
    return Stop(stop.city, stop.country, stop.starts_on, stop.ends_on, stop.time_zone or "UTC")


class _Noted(Protocol):
    def add_note(self, note_id: str, text: str) -> list[Event]: ...


# Each kind of record a note is on: how a command's session loads it, and its stream.
_NOTED: dict[
    type[c.AddNote], tuple[Callable[[Session, str], Awaitable[_Noted]], Callable[[str], str]]
] = {
    c.AddOrganizationNote: (Session.organization, organization_stream),
    c.AddContactNote: (Session.contact, contact_stream),
    c.AddOutreachEventNote: (Session.event, outreach_event_stream),
    c.AddInterestNote: (Session.interest, interest_stream),
}
