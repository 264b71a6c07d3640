"""The outreach tables as the GraphQL types read them: columns and SELECT templates."""

import strawberry

from gateway.context import Context
from gateway.relay import Keyset

Info = strawberry.Info[Context, None]


def select(table: str, columns: str) -> str:
    return f"SELECT {columns} FROM {table} WHERE {{where}}"


ORGANIZATION = "id, name, kind, country, website, merged_into, version"
CONTACT = (
    "id, name, title, email, phone, country, language, organization_id, merged_into, version, "
    "forgotten_at"
)
CONSENT = "contact_id, channel, purpose, legal_basis, granted_at, expires_at, withdrawn_at"
DELEGATION = "id, name, organizer, leader_id, purpose, member_ids, version"
TRIP = "id, delegation_id, name, status, stops, version"
EVENT = (
    "id, trip_id, stop_index, name, kind, city, country, venue, starts_at, ends_at, capacity, "
    "status, version, (SELECT count(*) FROM invitations i WHERE i.event_id = e.id) AS invited, "
    "(SELECT count(*) FROM invitations i WHERE i.event_id = e.id AND i.status = 'ACCEPTED') "
    "AS accepted, (SELECT count(*) FROM invitations i WHERE i.event_id = e.id AND i.attended) "
    "AS attended"
)
INVITATION = "event_id, contact_id, status, attended, invited_at"
INTEREST = (
    "id, contact_id, organization_id, source_event_id, kind, edition, supply_chain_areas, "
    "product_categories, stage, owner, application_id, captured_at, converted_at, refusal_code, "
    "refusal_reason, version"
)
FOLLOW_UP = "id, subject_id, owner, due_at, status, overdue, note, outcome, version"
EVENTS = "outreach_events e"
INTEREST_ORDER = Keyset((("captured_at", "timestamptz"), ("id", "uuid")))
