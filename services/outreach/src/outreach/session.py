"""The outreach service's unit of work: the aggregates a command touches."""

from pavilion_core.aggregate import Session

from outreach.domain.gatherings import OutreachEvent, outreach_event_stream
from outreach.domain.leads import FollowUp, Interest, follow_up_stream, interest_stream
from outreach.domain.parties import (
    Contact,
    EmailRegistry,
    Organization,
    contact_stream,
    email_stream,
    organization_stream,
)
from outreach.domain.travel import Delegation, Trip, delegation_stream, trip_stream


class OutreachSession(Session):
    async def organization(self, organization_id: str) -> Organization:
        return await self.get(
            organization_stream(organization_id), lambda: Organization(organization_id)
        )

    async def contact(self, contact_id: str) -> Contact:
        return await self.get(contact_stream(contact_id), lambda: Contact(contact_id))

    async def email(self, email: str) -> EmailRegistry:
        return await self.get(email_stream(email), lambda: EmailRegistry(email))

    async def delegation(self, delegation_id: str) -> Delegation:
        return await self.get(delegation_stream(delegation_id), lambda: Delegation(delegation_id))

    async def trip(self, trip_id: str) -> Trip:
        return await self.get(trip_stream(trip_id), lambda: Trip(trip_id))

    async def event(self, event_id: str) -> OutreachEvent:
        return await self.get(outreach_event_stream(event_id), lambda: OutreachEvent(event_id))

    async def interest(self, interest_id: str) -> Interest:
        return await self.get(interest_stream(interest_id), lambda: Interest(interest_id))

    async def follow_up(self, follow_up_id: str) -> FollowUp:
        return await self.get(follow_up_stream(follow_up_id), lambda: FollowUp(follow_up_id))
