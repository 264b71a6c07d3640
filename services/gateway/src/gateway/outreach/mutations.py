"""Mutations of the outreach feature: one per command of the outreach contract
(pavilion_contracts.outreach.commands), derived from it (gateway.derived); staff only."""

import strawberry
from pavilion_contracts.outreach.commands import COMMANDS

from gateway.derived import Answer, mutations
from gateway.mutations import Payload
from gateway.outreach import types as t
from gateway.relay import Node


@strawberry.type
class OrganizationPayload(Payload):
    organization: t.Organization | None = None


@strawberry.type
class ContactPayload(Payload):
    contact: t.Contact | None = None


@strawberry.type
class DelegationPayload(Payload):
    delegation: t.Delegation | None = None


@strawberry.type
class TripPayload(Payload):
    trip: t.Trip | None = None


@strawberry.type
class OutreachEventPayload(Payload):
    outreach_event: t.OutreachEvent | None = None


@strawberry.type
class InterestPayload(Payload):
    interest: t.Interest | None = None


@strawberry.type
class FollowUpPayload(Payload):
    follow_up: t.FollowUp | None = None


@strawberry.type
class NotePayload(Payload):
    record: Node | None = strawberry.field(
        default=None, description="The organization, contact, outreach event or interest."
    )


# What a mutation answers, by the kind of record its command changes (addNote: any).
ANSWERS = {
    "Organization": Answer(OrganizationPayload, "organization"),
    "Contact": Answer(ContactPayload, "contact"),
    "Delegation": Answer(DelegationPayload, "delegation"),
    "Trip": Answer(TripPayload, "trip"),
    "OutreachEvent": Answer(OutreachEventPayload, "outreach_event"),
    "Interest": Answer(InterestPayload, "interest"),
    "FollowUp": Answer(FollowUpPayload, "follow_up"),
    "addNote": Answer(NotePayload, "record"),
}


@strawberry.type
class OutreachMutations:
    locals().update(mutations(COMMANDS, ANSWERS))  # a field per mutation of the contract
