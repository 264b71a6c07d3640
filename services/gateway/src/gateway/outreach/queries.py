"""Queries of the outreach feature (not for EXHIBITOR tokens)."""

from datetime import datetime
from uuid import UUID

import strawberry

from gateway.context import Context
from gateway.nodes import load_node
from gateway.outreach import types as t
from gateway.policy import NotExhibitor, decode, refuse_personal_filter
from gateway.relay import Connection, Keyset, Query, fetch_page

Info = strawberry.Info[Context, None]
BY_NAME = Keyset((("name", "text"), ("id", "uuid")))
BY_ID = Keyset((("id", "uuid"),), name="ID")


@strawberry.input
class OrganizationFilter:
    search: str | None = None
    country: list[str] | None = None
    kind: list[t.OrganizationKind] | None = None
    include_merged: bool = False


@strawberry.input
class ContactFilter:
    search: str | None = None
    country: list[str] | None = None
    organization_id: strawberry.ID | None = None
    include_merged: bool = False


@strawberry.input
class OutreachEventFilter:
    trip_id: strawberry.ID | None = None
    kind: list[t.OutreachEventKind] | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None


@strawberry.input
class InterestFilter:
    edition: str | None = None
    stage: list[t.InterestStage] | None = None
    kind: list[t.InterestKind] | None = None
    source_event_id: strawberry.ID | None = None
    owner: str | None = None
    awaiting_application_before: datetime | None = strawberry.field(
        default=None,
        description="Only EXHIBIT interests converted before this instant that no "
        "application answers yet: conversions stuck between outreach and exhibitors.",
    )


@strawberry.input
class FollowUpFilter:
    owner: str | None = None
    status: list[t.FollowUpStatus] | None = None
    overdue: bool | None = None
    due_before: datetime | None = None


def _uuid(global_id: strawberry.ID, kind: str, field: str) -> UUID:
    return decode(global_id, kind, field=field).id


@strawberry.type
class OutreachQueries:
    @strawberry.field(permission_classes=[NotExhibitor])
    async def organizations(
        self,
        info: Info,
        filter: OrganizationFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.Organization]:
        f = filter or OrganizationFilter()
        query = Query(t.ORGANIZATION, "organizations").matching("name", f.search)
        query = query.any_of("country", f.country).any_of("kind", f.kind)
        if not f.include_merged:
            query = query.narrowed("merged_into IS NULL")
        return await fetch_page(
            info.context.pool, query, BY_NAME, t.Organization.from_row, first, after
        )

    @strawberry.field(permission_classes=[NotExhibitor])
    async def contacts(
        self,
        info: Info,
        filter: ContactFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.Contact]:
        f, viewer = filter or ContactFilter(), info.context.viewer
        if f.search:
            refuse_personal_filter(viewer, "search")
        query = Query(t.CONTACT, "contacts").matching("name", f.search).any_of("country", f.country)
        if f.organization_id:
            organization = _uuid(f.organization_id, "Organization", "organizationId")
            query = query.narrowed("organization_id = {0}", organization)
        if not f.include_merged:
            query = query.narrowed("merged_into IS NULL")
        query = query.narrowed("forgotten_at IS NULL")  # found by id alone: they have no name
        # by name, but not for a VIEWER: a cursor would carry the name
        order = BY_NAME if viewer.sees_personal_data else BY_ID
        return await fetch_page(info.context.pool, query, order, t.Contact.from_row, first, after)

    @strawberry.field(permission_classes=[NotExhibitor])
    async def delegations(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[t.Delegation]:
        query = Query(t.DELEGATION, "delegations")
        return await fetch_page(
            info.context.pool, query, BY_NAME, t.Delegation.from_row, first, after
        )

    @strawberry.field(permission_classes=[NotExhibitor])
    async def trip(self, info: Info, id: strawberry.ID) -> t.Trip | None:
        return await load_node(info.context, decode(id, "Trip"))  # type: ignore[return-value]

    @strawberry.field(permission_classes=[NotExhibitor])
    async def outreach_events(
        self,
        info: Info,
        filter: OutreachEventFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.OutreachEvent]:
        f = filter or OutreachEventFilter()
        query = Query(t.EVENT, t.EVENTS).any_of("kind", f.kind)
        if f.trip_id:
            query = query.narrowed("trip_id = {0}", _uuid(f.trip_id, "Trip", "tripId"))
        if f.starts_after:
            query = query.narrowed("starts_at >= {0}", f.starts_after)
        if f.starts_before:
            query = query.narrowed("starts_at < {0}", f.starts_before)
        keyset = Keyset((("starts_at", "timestamptz"), ("id", "uuid")))
        return await fetch_page(
            info.context.pool, query, keyset, t.OutreachEvent.from_row, first, after
        )

    @strawberry.field(permission_classes=[NotExhibitor])
    async def interests(
        self,
        info: Info,
        filter: InterestFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.Interest]:
        f = filter or InterestFilter()
        if f.owner:
            refuse_personal_filter(info.context.viewer, "owner")
        query = Query(t.INTEREST, "interests").any_of("stage", f.stage).any_of("kind", f.kind)
        if f.edition:
            query = query.narrowed("edition = {0}", f.edition)
        if f.owner:
            query = query.narrowed("owner = {0}", f.owner)
        if f.source_event_id:
            event = _uuid(f.source_event_id, "OutreachEvent", "sourceEventId")
            query = query.narrowed("source_event_id = {0}", event)
        if f.awaiting_application_before:
            query = query.narrowed(
                "stage = 'CONVERTED' AND kind = 'EXHIBIT' AND application_id IS NULL "
                "AND converted_at < {0}",
                f.awaiting_application_before,
            )
        return await fetch_page(
            info.context.pool, query, t.INTEREST_ORDER, t.Interest.from_row, first, after
        )

    @strawberry.field(
        permission_classes=[NotExhibitor],
        description="Soonest due first: of the SCHEDULED ones, the overdue come first.",
    )
    async def follow_ups(
        self,
        info: Info,
        filter: FollowUpFilter | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[t.FollowUp]:
        f = filter or FollowUpFilter()
        if f.owner:
            refuse_personal_filter(info.context.viewer, "owner")
        query = Query(t.FOLLOW_UP, "follow_ups").any_of("status", f.status)
        if f.owner:
            query = query.narrowed("owner = {0}", f.owner)
        if f.overdue is not None:
            query = query.narrowed("overdue = {0}", f.overdue)
        if f.due_before:
            query = query.narrowed("due_at < {0}", f.due_before)
        keyset = Keyset((("due_at", "timestamptz"), ("id", "uuid")))
        return await fetch_page(info.context.pool, query, keyset, t.FollowUp.from_row, first, after)
