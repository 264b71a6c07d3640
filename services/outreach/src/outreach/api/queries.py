"""GET endpoints: the current state of a record as the service decides on it, and a
contact's history across merges (the public read model is the gateway's)."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose
from pavilion_core.bodies import ERROR_RESPONSES
from pavilion_core.errors import NotFound

from outreach.bootstrap import Services
from outreach.domain.gatherings import OutreachEvent
from outreach.domain.leads import FollowUp, Interest
from outreach.domain.parties import Contact, Organization

router = APIRouter(tags=["queries"], responses=ERROR_RESPONSES)


async def _history(request: Request, stream_id: str) -> list[Any]:
    services: Services = request.app.state.services
    return await services.handlers.store.read_stream(stream_id)


PERSONAL = ("name", "title", "email", "phone")  # of a profile: null once forgotten


@router.get("/contacts/{id}")
async def contact(id: UUID, request: Request) -> dict[str, Any]:
    services: Services = request.app.state.services
    state = Contact(str(id)).replay(await _history(request, str(id)))
    if not state.exists:
        raise NotFound(f"no contact {id}")
    now = services.config.clock.now()
    return {
        "id": state.id,
        "version": state.version,
        **state.profile(),
        **(dict.fromkeys(PERSONAL) if state.forgotten else {}),
        "forgotten": state.forgotten,
        "organizationId": state.organization_id,
        "mergedInto": state.merged_into,
        "mergedFrom": state.merged_from,
        "consents": [
            {
                "channel": ch,
                "purpose": pu,
                "legalBasis": consent.basis,
                "expiresAt": consent.expires_at.isoformat() if consent.expires_at else None,
                "valid": state.may_contact(ConsentChannel(ch), ConsentPurpose(pu), now),
            }
            for (ch, pu), consent in state.consents.items()
        ],
    }


@router.get("/contacts/{id}/history")
async def contact_history(id: UUID, request: Request) -> list[dict[str, Any]]:
    """Every event of the contact and of the contacts merged into it, in order."""
    state = Contact(str(id)).replay(await _history(request, str(id)))
    if not state.exists:
        raise NotFound(f"no contact {id}")
    events = []
    for stream in [state.id, *state.merged_from]:
        events += await _history(request, stream)
    return [
        {
            "eventId": str(e.event_id),
            "contactId": e.stream_id,
            "type": e.type,
            "version": e.version,
            "recordedAt": e.recorded_at.isoformat(),
            "data": e.data,
        }
        for e in sorted(events, key=lambda e: e.position)
    ]


@router.get("/organizations/{id}")
async def organization(id: UUID, request: Request) -> dict[str, Any]:
    state = Organization(str(id)).replay(await _history(request, str(id)))
    if not state.exists:
        raise NotFound(f"no organization {id}")
    return {
        "id": state.id,
        "version": state.version,
        "name": state.name,
        "kind": state.kind,
        "country": state.country,
        "website": state.website,
        "mergedInto": state.merged_into,
        "mergedFrom": state.merged_from,
    }


@router.get("/events/{id}")
async def event(id: UUID, request: Request) -> dict[str, Any]:
    state = OutreachEvent(str(id)).replay(await _history(request, str(id)))
    if not state.version:
        raise NotFound(f"no outreach event {id}")
    counts: dict[str, int] = {}
    for status in state.invitees.values():
        counts[status] = counts.get(status, 0) + 1
    return {
        "id": state.id,
        "version": state.version,
        "name": state.name,
        "status": state.status,
        "capacity": state.capacity,
        "invitees": counts,
    }


@router.get("/interests/{id}")
async def interest(id: UUID, request: Request) -> dict[str, Any]:
    state = Interest(str(id)).replay(await _history(request, str(id)))
    state.check_exists()
    return {
        "id": state.id,
        "version": state.version,
        "stage": state.stage,
        "kind": state.kind,
        "contactId": state.contact_id,
        "organizationId": state.organization_id,
        "owner": state.owner,
        "applicationId": state.application_id,
    }


@router.get("/follow-ups/{id}")
async def follow_up(id: UUID, request: Request) -> dict[str, Any]:
    state = FollowUp(str(id)).replay(await _history(request, str(id)))
    if not state.version:
        raise NotFound(f"no follow-up {id}")
    return {
        "id": state.id,
        "version": state.version,
        "status": state.status,
        "dueAt": state.due_at.isoformat() if state.due_at else None,
        "announcedFor": state.announced_for.isoformat() if state.announced_for else None,
    }
