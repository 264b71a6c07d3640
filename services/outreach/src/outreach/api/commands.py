"""POST endpoints, one per command. New records get their id from the service (a
retry with the same Idempotency-Key returns the same one); every command takes
`expectedVersion` and answers with the stream's new version."""

from typing import Annotated
from uuid import UUID, uuid4

from fastapi import APIRouter, Path, Request
from pavilion_core.bodies import ACCEPTED, Accepted, Versioned
from pavilion_core.http import run_command

from outreach import commands as c
from outreach.api import models as m
from outreach.bootstrap import Services
from outreach.domain.travel import Stop
from outreach.handlers import Handlers

router = APIRouter(tags=["commands"])
Id = Annotated[UUID, Path()]
NEW = {**ACCEPTED, "status_code": 201}


def _h(request: Request) -> Handlers:
    services: Services = request.app.state.services
    return services.handlers


def _new() -> str:
    return str(uuid4())


def _profile(body: m.ContactUpdateIn) -> c.ContactProfile:
    return c.ContactProfile(
        body.name, body.title, body.email, body.phone, body.country, body.language
    )


# organizations


@router.post("/organizations", **NEW)
async def register_organization(body: m.OrganizationIn, request: Request) -> Accepted:
    cmd = c.RegisterOrganization(_new(), body.name, body.kind, body.country, body.website)
    return await run_command(request, body, _h(request).register_organization, cmd)


@router.post("/organizations/{id}/update", **ACCEPTED)
async def update_organization(id: Id, body: m.OrganizationUpdateIn, request: Request) -> Accepted:
    cmd = c.UpdateOrganization(str(id), body.name, body.kind, body.country, body.website)
    return await run_command(request, body, _h(request).update_organization, cmd)


@router.post("/organizations/{id}/merge", **ACCEPTED)
async def merge_organizations(id: Id, body: m.MergeIn, request: Request) -> Accepted:
    cmd = c.MergeOrganizations(str(id), str(body.survivor_id))
    return await run_command(request, body, _h(request).merge_organizations, cmd)


@router.post("/organizations/{id}/notes", **ACCEPTED)
async def note_organization(id: Id, body: m.NoteIn, request: Request) -> Accepted:
    cmd = c.AddNote("organization", str(id), _new(), body.text)
    return await run_command(request, body, _h(request).add_note, cmd)


# contacts


@router.post("/contacts", **NEW)
async def register_contact(body: m.ContactIn, request: Request) -> Accepted:
    org = str(body.organization_id) if body.organization_id else None
    cmd = c.RegisterContact(_new(), _profile(body), org)
    return await run_command(request, body, _h(request).register_contact, cmd)


@router.post("/contacts/{id}/update", **ACCEPTED)
async def update_contact(id: Id, body: m.ContactUpdateIn, request: Request) -> Accepted:
    cmd = c.UpdateContact(str(id), _profile(body))
    return await run_command(request, body, _h(request).update_contact, cmd)


@router.post("/contacts/{id}/link", **ACCEPTED)
async def link_contact(id: Id, body: m.LinkIn, request: Request) -> Accepted:
    cmd = c.LinkContact(str(id), str(body.organization_id))
    return await run_command(request, body, _h(request).link_contact, cmd)


@router.post("/contacts/{id}/merge", **ACCEPTED)
async def merge_contacts(id: Id, body: m.MergeIn, request: Request) -> Accepted:
    cmd = c.MergeContacts(str(id), str(body.survivor_id))
    return await run_command(request, body, _h(request).merge_contacts, cmd)


@router.post("/contacts/{id}/consents", **ACCEPTED)
async def grant_consent(id: Id, body: m.ConsentIn, request: Request) -> Accepted:
    cmd = c.GrantConsent(
        str(id),
        body.channel,
        body.purpose,
        body.legal_basis,
        body.evidence,
        body.implied_by,
        body.implied_since,
    )
    return await run_command(request, body, _h(request).grant_consent, cmd)


@router.post("/contacts/{id}/consents/withdraw", **ACCEPTED)
async def withdraw_consent(id: Id, body: m.WithdrawConsentIn, request: Request) -> Accepted:
    cmd = c.WithdrawConsent(str(id), body.channel, body.purpose, body.reason)
    return await run_command(request, body, _h(request).withdraw_consent, cmd)


@router.post("/contacts/{id}/forget", **ACCEPTED)
async def forget_contact(id: Id, body: Versioned, request: Request) -> Accepted:
    services: Services = request.app.state.services
    cmd = c.ForgetContact(str(id))
    return await run_command(request, body, services.forgetting.forget_contact, cmd)


@router.post("/contacts/{id}/notes", **ACCEPTED)
async def note_contact(id: Id, body: m.NoteIn, request: Request) -> Accepted:
    cmd = c.AddNote("contact", str(id), _new(), body.text)
    return await run_command(request, body, _h(request).add_note, cmd)


# delegations and trips


@router.post("/delegations", **NEW)
async def form_delegation(body: m.DelegationIn, request: Request) -> Accepted:
    cmd = c.FormDelegation(_new(), body.name, body.organizer, str(body.leader_id), body.purpose)
    return await run_command(request, body, _h(request).form_delegation, cmd)


@router.post("/delegations/{id}/members", **ACCEPTED)
async def add_member(id: Id, body: m.MemberIn, request: Request) -> Accepted:
    cmd = c.ChangeDelegationMember(str(id), str(body.contact_id), add=True)
    return await run_command(request, body, _h(request).change_delegation_member, cmd)


@router.post("/delegations/{id}/members/remove", **ACCEPTED)
async def remove_member(id: Id, body: m.MemberIn, request: Request) -> Accepted:
    cmd = c.ChangeDelegationMember(str(id), str(body.contact_id), add=False)
    return await run_command(request, body, _h(request).change_delegation_member, cmd)


@router.post("/trips", **NEW)
async def plan_trip(body: m.TripIn, request: Request) -> Accepted:
    stops = tuple(Stop(s.city, s.country, s.starts_on, s.ends_on, s.time_zone) for s in body.stops)
    cmd = c.PlanTrip(_new(), str(body.delegation_id), body.name, stops)
    return await run_command(request, body, _h(request).plan_trip, cmd)


@router.post("/trips/{id}/stops", **ACCEPTED)
async def add_stop(id: Id, body: m.AddStopIn, request: Request) -> Accepted:
    stop = Stop(body.city, body.country, body.starts_on, body.ends_on, body.time_zone)
    cmd = c.AddTripStop(str(id), stop)
    return await run_command(request, body, _h(request).add_trip_stop, cmd)


@router.post("/trips/{id}/stops/{index}/reschedule", **ACCEPTED)
async def reschedule_stop(
    id: Id, index: Annotated[int, Path(ge=0, le=100)], body: m.RescheduleStopIn, request: Request
) -> Accepted:
    cmd = c.RescheduleTripStop(str(id), index, body.starts_on, body.ends_on)
    return await run_command(request, body, _h(request).reschedule_trip_stop, cmd)


@router.post("/trips/{id}/start", **ACCEPTED)
async def start_trip(id: Id, body: Versioned, request: Request) -> Accepted:
    cmd = c.ChangeTripStatus(str(id), "start")
    return await run_command(request, body, _h(request).change_trip_status, cmd)


@router.post("/trips/{id}/complete", **ACCEPTED)
async def complete_trip(id: Id, body: Versioned, request: Request) -> Accepted:
    cmd = c.ChangeTripStatus(str(id), "complete")
    return await run_command(request, body, _h(request).change_trip_status, cmd)


@router.post("/trips/{id}/cancel", **ACCEPTED)
async def cancel_trip(id: Id, body: m.ReasonIn, request: Request) -> Accepted:
    cmd = c.ChangeTripStatus(str(id), "cancel", body.reason)
    return await run_command(request, body, _h(request).change_trip_status, cmd)


# outreach events


@router.post("/events", **NEW)
async def schedule_event(body: m.EventIn, request: Request) -> Accepted:
    cmd = c.ScheduleOutreachEvent(
        _new(),
        str(body.trip_id),
        body.stop_index,
        body.name,
        body.kind,
        m.utc(body.starts_at),
        m.utc(body.ends_at),
        body.venue,
        body.capacity,
    )
    return await run_command(request, body, _h(request).schedule_event, cmd)


@router.post("/events/{id}/reschedule", **ACCEPTED)
async def reschedule_event(id: Id, body: m.RescheduleEventIn, request: Request) -> Accepted:
    cmd = c.RescheduleOutreachEvent(str(id), m.utc(body.starts_at), m.utc(body.ends_at))
    return await run_command(request, body, _h(request).reschedule_event, cmd)


@router.post("/events/{id}/hold", **ACCEPTED)
async def hold_event(id: Id, body: Versioned, request: Request) -> Accepted:
    return await run_command(request, body, _h(request).hold_event, c.HoldOutreachEvent(str(id)))


@router.post("/events/{id}/cancel", **ACCEPTED)
async def cancel_event(id: Id, body: m.ReasonIn, request: Request) -> Accepted:
    cmd = c.CancelOutreachEvent(str(id), body.reason)
    return await run_command(request, body, _h(request).cancel_event, cmd)


@router.post("/events/{id}/invitations", **ACCEPTED)
async def invite(id: Id, body: m.InviteIn, request: Request) -> Accepted:
    cmd = c.InviteContact(str(id), str(body.contact_id))
    return await run_command(request, body, _h(request).invite_contact, cmd)


@router.post("/events/{id}/rsvp", **ACCEPTED)
async def rsvp(id: Id, body: m.RsvpIn, request: Request) -> Accepted:
    cmd = c.RecordRsvp(str(id), str(body.contact_id), body.accept)
    return await run_command(request, body, _h(request).record_rsvp, cmd)


@router.post("/events/{id}/attendance", **ACCEPTED)
async def attendance(id: Id, body: m.AttendanceIn, request: Request) -> Accepted:
    cmd = c.RecordAttendance(str(id), str(body.contact_id), body.attended)
    return await run_command(request, body, _h(request).record_attendance, cmd)


@router.post("/events/{id}/notes", **ACCEPTED)
async def note_event(id: Id, body: m.NoteIn, request: Request) -> Accepted:
    cmd = c.AddNote("event", str(id), _new(), body.text)
    return await run_command(request, body, _h(request).add_note, cmd)


# interests and follow-ups


@router.post("/interests", **NEW)
async def capture_interest(body: m.InterestIn, request: Request) -> Accepted:
    cmd = c.CaptureInterest(
        _new(),
        str(body.contact_id),
        body.kind,
        body.edition,
        tuple(dict.fromkeys(body.supply_chain_areas)),
        tuple(body.product_categories),
        str(body.organization_id) if body.organization_id else None,
        str(body.source_event_id) if body.source_event_id else None,
    )
    return await run_command(request, body, _h(request).capture_interest, cmd)


@router.post("/interests/{id}/qualify", **ACCEPTED)
async def qualify(id: Id, body: Versioned, request: Request) -> Accepted:
    cmd = c.ChangeInterest(str(id), "qualify")
    return await run_command(request, body, _h(request).change_interest, cmd)


@router.post("/interests/{id}/nurture", **ACCEPTED)
async def nurture(id: Id, body: Versioned, request: Request) -> Accepted:
    cmd = c.ChangeInterest(str(id), "nurture")
    return await run_command(request, body, _h(request).change_interest, cmd)


@router.post("/interests/{id}/convert", **ACCEPTED)
async def convert(id: Id, body: Versioned, request: Request) -> Accepted:
    cmd = c.ChangeInterest(str(id), "convert")
    return await run_command(request, body, _h(request).change_interest, cmd)


@router.post("/interests/{id}/lose", **ACCEPTED)
async def lose(id: Id, body: m.ReasonIn, request: Request) -> Accepted:
    cmd = c.ChangeInterest(str(id), "lose", reason=body.reason)
    return await run_command(request, body, _h(request).change_interest, cmd)


@router.post("/interests/{id}/owner", **ACCEPTED)
async def assign_owner(id: Id, body: m.OwnerIn, request: Request) -> Accepted:
    cmd = c.ChangeInterest(str(id), "assign", owner=body.owner)
    return await run_command(request, body, _h(request).change_interest, cmd)


@router.post("/interests/{id}/notes", **ACCEPTED)
async def note_interest(id: Id, body: m.NoteIn, request: Request) -> Accepted:
    cmd = c.AddNote("interest", str(id), _new(), body.text)
    return await run_command(request, body, _h(request).add_note, cmd)


@router.post("/follow-ups", **NEW)
async def schedule_follow_up(body: m.FollowUpIn, request: Request) -> Accepted:
    cmd = c.ScheduleFollowUp(
        _new(), str(body.subject_id), body.owner, m.utc(body.due_at), body.note
    )
    return await run_command(request, body, _h(request).schedule_follow_up, cmd)


@router.post("/follow-ups/{id}/reschedule", **ACCEPTED)
async def reschedule_follow_up(id: Id, body: m.DueIn, request: Request) -> Accepted:
    cmd = c.ChangeFollowUp(str(id), "reschedule", due_at=m.utc(body.due_at))
    return await run_command(request, body, _h(request).change_follow_up, cmd)


@router.post("/follow-ups/{id}/complete", **ACCEPTED)
async def complete_follow_up(id: Id, body: m.OutcomeIn, request: Request) -> Accepted:
    cmd = c.ChangeFollowUp(str(id), "complete", text=body.outcome)
    return await run_command(request, body, _h(request).change_follow_up, cmd)


@router.post("/follow-ups/{id}/cancel", **ACCEPTED)
async def cancel_follow_up(id: Id, body: m.ReasonIn, request: Request) -> Accepted:
    cmd = c.ChangeFollowUp(str(id), "cancel", text=body.reason)
    return await run_command(request, body, _h(request).change_follow_up, cmd)
