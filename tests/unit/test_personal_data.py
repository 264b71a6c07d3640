"""Personal data is declared once, in the event contracts, and everything else follows:
every property of every event schema says whether it is personal and every schema what
its stream is; the gateway's disclosure file is derived from them and current; the
GraphQL fields fed by personal properties are @personal; every id a mutation takes
says what it must be the id of."""

import json
import re
from pathlib import Path
from typing import Any

import pytest
from gateway.cli import DISCLOSURE, disclosure
from gateway.disclosure import Disclosure, derive
from gateway.mutations import ID_KINDS
from gateway.policy import SEES
from graphql import GraphQLInputObjectType, GraphQLObjectType, build_schema, get_named_type
from pavilion_contracts import personal

ROOT = Path(__file__).parents[2]
EVENTS = ROOT / "schemas" / "events"
SDL = build_schema((ROOT / "schemas" / "graphql" / "schema.graphql").read_text())
SCHEMAS = sorted(EVENTS.glob("*/*.schema.json"))
# The GraphQL types fed by event properties: (type, its field) ← (event, property path).
FED_BY = {
    ("Contact", "name"): [("outreach/ContactRegistered", "name"),
                          ("outreach/ContactUpdated", "name")],
    ("Contact", "title"): [("outreach/ContactRegistered", "title")],
    ("Contact", "email"): [("outreach/ContactRegistered", "email")],
    ("Contact", "phone"): [("outreach/ContactRegistered", "phone")],
    ("Contact", "country"): [("outreach/ContactRegistered", "country")],
    ("Contact", "language"): [("outreach/ContactRegistered", "language")],
    ("ExhibitorContact", "name"): [("exhibitors/ApplicationSubmitted", "contacts.name"),
                                   ("exhibitors/ExhibitorContactAdded", "name")],
    ("ExhibitorContact", "email"): [("exhibitors/ApplicationSubmitted", "contacts.email")],
    ("ExhibitorContact", "phone"): [("exhibitors/ApplicationSubmitted", "contacts.phone")],
    ("ExhibitorContact", "language"): [("exhibitors/ApplicationSubmitted", "contacts.language")],
    ("PostalAddress", "streetLines"): [("exhibitors/ApplicationSubmitted", "address.streetLines")],
    ("PostalAddress", "city"): [("exhibitors/ApplicationSubmitted", "address.city")],
    ("PostalAddress", "postalCode"): [("exhibitors/ApplicationSubmitted", "address.postalCode")],
    ("PostalAddress", "region"): [("exhibitors/ApplicationSubmitted", "address.region")],
    ("PostalAddress", "country"): [("exhibitors/ApplicationSubmitted", "address.country")],
    ("Exhibitor", "companyName"): [("exhibitors/ApplicationSubmitted", "companyName")],
    ("Organization", "name"): [("outreach/OrganizationRegistered", "name")],
    ("Organization", "website"): [("outreach/OrganizationRegistered", "website")],
    ("Delegation", "organizer"): [("outreach/DelegationFormed", "organizer")],
    ("Delegation", "purpose"): [("outreach/DelegationFormed", "purpose")],
    ("Interest", "owner"): [("outreach/InterestOwnerAssigned", "owner")],
    ("ConversionRefusal", "reason"): [("outreach/InterestConversionRefused", "reason")],
    ("FollowUp", "owner"): [("outreach/FollowUpScheduled", "owner")],
    ("FollowUp", "note"): [("outreach/FollowUpScheduled", "note")],
    ("FollowUp", "outcome"): [("outreach/FollowUpCompleted", "outcome")],
    ("OutreachEvent", "venue"): [("outreach/OutreachEventScheduled", "venue")],
    ("Notification", "recipient"): [("notifications/NotificationRequested", "recipient")],
    ("Notification", "reason"): [("notifications/NotificationFailed", "error"),
                                 ("notifications/NotificationSuppressed", "reason")],
    ("WebhookEndpoint", "url"): [("notifications/WebhookEndpointRegistered", "url")],
}  # fmt: skip


def _properties(schema: dict[str, Any], path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    for name, prop in schema.get("properties", {}).items():
        found.append((f"{path}{name}", prop))
        nested = prop.get("items", prop)
        if isinstance(nested, dict) and "properties" in nested:
            found += _properties(nested, f"{path}{name}.")
    return found


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_every_property_says_whether_it_is_personal_and_every_event_its_stream(path: Path):
    schema = json.loads(path.read_text())
    stream = schema.get("x-stream")
    kinds = [stream] if isinstance(stream, str) else stream
    assert kinds and all(k in SEES for k in kinds), f"{path.name}: x-stream {stream!r}"
    for name, prop in _properties(schema):
        assert isinstance(prop.get("x-personal-data"), bool), f"{path.name}: {name} undeclared"


def test_the_disclosure_the_gateway_ships_is_derived_from_the_contracts_as_they_are():
    assert DISCLOSURE.is_file()
    assert (ROOT / DISCLOSURE).read_text() == disclosure(), (
        f"{DISCLOSURE} is stale: run `python -m gateway.cli disclosure`"
    )


def test_redaction_keeps_only_what_is_declared_not_personal(tmp_path: Path):
    (tmp_path / "x").mkdir()
    schema = {
        "x-stream": "Contact",
        "properties": {
            "id": {"type": "string", "x-personal-data": False},
            "name": {"type": "string", "x-personal-data": True},
            "contacts": {
                "type": "array",
                "x-personal-data": False,
                "items": {"properties": {"email": {"x-personal-data": True},
                                         "role": {"x-personal-data": False}}},
            },
        },
    }  # fmt: skip
    (tmp_path / "x" / "Thing.v1.schema.json").write_text(json.dumps(schema))
    derived = derive(tmp_path)
    rules = Disclosure({"Thing": ("Contact",)}, {"Thing": derived["Thing"]["public"]})
    data = {"id": "1", "name": "Ada", "contacts": [{"email": "a@b", "role": "ceo"}], "new": "?"}
    assert rules.redact("Thing", data) == {"id": "1", "contacts": [{"role": "ceo"}]}
    assert rules.redact("Unknown", data) == {}  # an event nobody declared shows nothing


def _personal(event: str, prop: str) -> bool:
    """Whether the latest version of `event` declares `prop` personal."""
    latest = max(
        EVENTS.glob(f"{event}.v*.schema.json"), key=lambda p: int(p.name.split(".")[1][1:])
    )
    schema = json.loads(latest.read_text())
    return dict(_properties(schema))[prop]["x-personal-data"] is True


@pytest.mark.parametrize(("field", "sources"), FED_BY.items(), ids=lambda v: str(v))
def test_a_graphql_field_fed_by_personal_data_is_personal(field, sources):
    type_name, name = field
    graphql_type = SDL.get_type(type_name)
    assert isinstance(graphql_type, GraphQLObjectType), type_name
    node = graphql_type.fields[name].ast_node
    marked = any(d.name.value == "personal" for d in ((node and node.directives) or ()))
    assert marked == any(_personal(*source) for source in sources), field


def test_every_id_a_mutation_takes_says_what_it_is_the_id_of():
    ids = set()
    for named in SDL.type_map.values():
        if isinstance(named, GraphQLInputObjectType):
            for name, field in named.fields.items():
                if get_named_type(field.type).name == "ID":
                    ids.add(re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower())
    assert ids and ids <= set(ID_KINDS), ids - set(ID_KINDS)


def test_the_sealing_declaration_is_derived_from_the_contracts_and_current():
    """Every personal value of every event says whose it is (x-data-subject), and
    pavilion_contracts' personal.json, which every process seals and unseals by, is
    what the schemas say (`python -m pavilion_contracts.personal` writes it)."""
    derived = personal.derive(EVENTS)
    assert json.loads(personal.render(EVENTS)) == derived == personal.declaration()
    personal_paths = {
        (path.parent.name, ".".join(path.name.split(".")[:2]))
        for path in SCHEMAS
        for name, prop in _properties(json.loads(path.read_text()))
        if prop["x-personal-data"] is not False
    }
    assert {name for _, name in personal_paths} == set(derived)


def test_a_personal_value_without_a_subject_is_refused(tmp_path: Path):
    schema = {"x-stream": "Thing", "properties": {
        "secret": {"type": "string", "x-personal-data": True}}}  # fmt: skip
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Thing.v1.schema.json").write_text(json.dumps(schema))
    with pytest.raises(ValueError, match=r"Thing\.v1: secret is personal but has no x-data"):
        personal.derive(tmp_path)
