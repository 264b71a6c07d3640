"""Test data planted from the event contracts themselves: one event of every type of
schemas/events (but those that forget a person), each string a marker unique to its
field, so that a response can be searched for anything it must not show.

Personal fields (`x-personal-data: true`) get markers ending in `P`, others in `N`; all
events are about the records of `World` (the same ids across services, so that the
projections link them), and the exhibitor's own application gets a submission of its
own whose markers end in `O`. The markers of an edition's events are no one's: every
role may see them.
"""

import itertools
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pavilion_core.envelope import KafkaRecord, RecordedEvent, to_kafka

SCHEMAS = Path(__file__).parents[2] / "schemas" / "events"
FIRST = (
    "Submitted",
    "Registered",
    "Formed",
    "Planned",
    "Scheduled",
    "Captured",
    "Defined",
    "Created",
)
LATER = ("Merged", "Absorbed", "Deleted")  # after the rest: they hide or end a record
# Not planted: they erase the very markers the searches look for (test_forgetting.py).
ERASING = ("ContactForgotten", "ExhibitorContactForgotten")
# Reference data that every role reads (an EXHIBITOR applies to an edition it can see).
PUBLIC = ("Edition",)
# Another contact and organization merge into the world's (which stay listed).
MERGES = {
    "ContactMerged": {"contactId": "Contact2", "mergedInto": "Contact"},
    "ContactAbsorbed": {"mergedId": "Contact2"},
    "OrganizationMerged": {"organizationId": "Organization2", "mergedInto": "Organization"},
    "OrganizationAbsorbed": {"mergedId": "Organization2"},
}
FIXED = {
    "edition": "CISCE-2026",
    "country": "CA",
    "language": "en",
    "currency": "CAD",
    "hall": "W1",
    "boothCode": "W1-01",
    "index": 0,
    "stopIndex": 0,
}


def _uuid() -> str:
    return str(uuid.uuid4())


@dataclass
class World:
    """The ids of the records every planted event is about."""

    ids: dict[str, str] = field(
        default_factory=lambda: {
            kind: _uuid()
            for kind in (
                "Exhibitor",
                "Own",
                "Contact",
                "Contact2",
                "Organization",
                "Organization2",
                "Delegation",
                "Trip",
                "OutreachEvent",
                "Interest",
                "FollowUp",
                "Notification",
                "Reminder",
                "RebookingOffer",
                "WebhookEndpoint",
                "WebhookDelivery",
            )
        }
    )
    counter: "itertools.count[int]" = field(default_factory=itertools.count)
    personal: set[str] = field(default_factory=set)  # every P marker
    others: set[str] = field(default_factory=set)  # every marker not of the own application
    own: set[str] = field(default_factory=set)
    events: list[tuple[str, RecordedEvent]] = field(default_factory=list)  # (service, event)
    versions: dict[str, int] = field(default_factory=dict)

    def id_for(self, name: str) -> str:
        by_field = {
            "applicationId": "Exhibitor", "relatedId": "Exhibitor", "contactId": "Contact",
            "leaderId": "Contact", "organizationId": "Organization", "delegationId": "Delegation",
            "tripId": "Trip", "eventId": "OutreachEvent", "sourceEventId": "OutreachEvent",
            "interestId": "Interest", "sourceInterestId": "Interest", "subjectId": "Interest",
            "followUpId": "FollowUp", "notificationId": "Notification", "reminderId": "Reminder",
            "endpointId": "WebhookEndpoint", "deliveryId": "WebhookDelivery",
            "offerId": "RebookingOffer",
        }  # fmt: skip
        kind = by_field.get(name)
        return self.ids[kind] if kind else _uuid()

    def marker(self, personal: bool, own: bool) -> str:
        tag = "O" if own else "P" if personal else "N"
        value = f"zq{next(self.counter):05d}{tag}"
        (self.own if own else self.others).add(value)
        if personal:
            self.personal.add(value)
        return value


def _value(world: World, name: str, schema: dict[str, Any], personal: bool, own: bool) -> Any:
    kinds = schema.get("type", "string")
    kind = next(k for k in ([kinds] if isinstance(kinds, str) else kinds) if k != "null")
    if "enum" in schema:
        return schema["enum"][0]
    if kind == "object":
        return _object(world, schema, own)
    if kind == "array":
        items = schema.get("items", {})
        return [_value(world, name, items, personal or items.get("x-personal-data"), own)]
    if kind in ("integer", "number"):
        return FIXED.get(name, max(1, schema.get("minimum", 1)))
    if kind == "boolean":
        return True
    return _text(world, name, schema, personal, own)


def _text(world: World, name: str, schema: dict[str, Any], personal: bool, own: bool) -> str:
    form = schema.get("format")
    if form == "uuid" or name.endswith("Id") or name == "mergedInto":
        return world.ids["Own"] if own and name == "applicationId" else world.id_for(name)
    if form == "date-time":
        return "2026-03-02T10:00:00+00:00"
    if form == "date":
        return "2026-03-02"
    if name in FIXED:
        return str(FIXED[name])
    if name == "phone":
        digits = f"1999{next(world.counter):07d}"
        world.personal.add(digits)
        (world.own if own else world.others).add(digits)
        return f"+{digits}"
    marker = world.marker(personal, own)
    if form == "email":
        return f"{marker}@example.com"
    if name == "url":
        return f"https://hooks.example.com/{marker}"
    return marker


def _object(world: World, schema: dict[str, Any], own: bool) -> dict[str, Any]:
    return {
        name: _value(world, name, prop, prop["x-personal-data"], own)
        for name, prop in schema.get("properties", {}).items()
    }


def _order(path: Path) -> tuple[int, str]:
    name = path.name.split(".")[0]
    rank = 0 if name.endswith(FIRST) else 2 if name.endswith(LATER) else 1
    return rank, str(path)


def plant(world: World) -> World:
    """One event of every type, the exhibitor's own submission, in a sensible order."""
    every = sorted(SCHEMAS.glob("*/*.schema.json"), key=_order)
    paths = [path for path in every if path.name.split(".")[0] not in ERASING]
    submission = SCHEMAS / "exhibitors" / "ApplicationSubmitted.v1.schema.json"
    for path in [submission, *paths]:
        schema = json.loads(path.read_text())
        own = path == submission and not world.events
        others = set(world.others)
        data = _object(world, schema, own)
        if schema["x-stream"] in PUBLIC:
            world.others = others  # its markers are everyone's to see
        for key, kind in MERGES.get(path.name.split(".")[0], {}).items():
            data[key] = world.ids[kind]
        stream = _stream(world, schema, data, own)
        world.versions[stream] = version = world.versions.get(stream, 0) + 1
        event_type = path.name.split(".")[0]
        event = RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=stream,
            version=version,
            position=len(world.events) + 1,
            type=event_type,
            schema_version=int(path.name.split(".")[1].removeprefix("v")),
            data=data,
            metadata={"correlation_id": "planted", "actor": world.marker(True, own)},
            recorded_at=datetime.now(UTC),
        )
        world.events.append((path.parent.name, event))
    return world


def _stream(world: World, schema: dict[str, Any], data: dict[str, Any], own: bool) -> str:
    kinds = schema["x-stream"]
    kind = kinds if isinstance(kinds, str) else kinds[0]
    if own:
        return world.ids["Own"]
    if schema["title"].endswith(("ContactMerged.v1", "OrganizationMerged.v1")):
        return str(data.get("contactId") or data["organizationId"])  # the merged one's
    special = {
        "FloorPlan": "floorplan:CISCE-2026:W1",
        "Waitlist": "waitlist:CISCE-2026",
        "Edition": "edition:CISCE-2026",
        "ContactEmail": f"contact-email:{data.get('email')}",
        "Recipient": f"recipient:{data.get('address')}",
    }
    return special.get(kind) or world.ids[kind]


def records(world: World, topics: dict[str, str]) -> list[tuple[str, KafkaRecord]]:
    """Each planted event as its service would publish it, with its topic."""
    return [(topics[service], to_kafka(event, service)) for service, event in world.events]
