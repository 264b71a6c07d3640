"""A forgotten person's values read as null (crypto-shredding): the aggregates that
held them still load, so that their records go on (a contact's history, an exhibitor's
application with a contact person gone)."""

import uuid
from datetime import UTC, datetime
from typing import Any

from exhibitors.domain.application import ExhibitorApplication
from outreach.domain.parties import Contact
from pavilion_contracts.personal import declaration
from pavilion_core.envelope import RecordedEvent
from pavilion_core.personal import erased_as_null

from tests.support import registered, submitted_data

NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)


def forgotten(stream: str, history: list[tuple[str, dict[str, Any]]]) -> list[RecordedEvent]:
    """The stream as loaded once every personal value in it is shredded: null at each
    path the contracts declare personal."""
    return [
        RecordedEvent(uuid.uuid4(), stream, n, n, kind, 1, _shredded(f"{kind}.v1", data), {}, NOW)
        for n, (kind, data) in enumerate(history, start=1)
    ]


def _shredded(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    for rule in declaration().get(kind, []):
        *steps, last = rule["path"]
        holders = [data]
        for step in steps:
            holders = [i for h in holders for i in (h if step == "[]" else [h.get(step)]) if i]
        for holder in holders:
            if last in holder:
                holder[last] = None
    return data


def test_a_forgotten_contact_still_loads_with_its_consents():
    contact = str(uuid.uuid4())
    consent = {"contactId": contact, "channel": "EMAIL", "purpose": "MARKETING",
               "legalBasis": "EXPRESS", "evidence": "signed form", "grantedAt": NOW.isoformat(),
               "expiresAt": None}  # fmt: skip
    history = forgotten(contact, [
        ("ContactRegistered", registered(contact, "Ada", "ada@x.test", "GB", "en")),
        ("ConsentGranted", consent),
    ])  # fmt: skip

    loaded = Contact(contact).replay(history)

    assert loaded.exists and loaded.version == 2
    assert (loaded.name, loaded.email, loaded.country) == (None, None, "GB")


def test_an_application_whose_contact_persons_are_forgotten_still_loads():
    app = str(uuid.uuid4())
    people = [{"name": "Grace", "email": "grace@navy.test", "phone": None}]
    history = forgotten(app, [
        ("ApplicationSubmitted", submitted_data(app, "Acme", "GB", people, "CLEAN_ENERGY")),
        ("ExhibitorContactAdded", {"applicationId": app, "name": "Alan",
                                   "email": "alan@x.test", "phone": None}),
        ("ExhibitorContactRemoved", {"applicationId": app, "email": "alan@x.test"}),
    ])  # fmt: skip

    loaded = ExhibitorApplication(app).replay(history)

    assert loaded.version == 3 and loaded.company_name == "Acme"


def test_values_a_read_model_erased_read_as_null_again_and_nothing_else_changes():
    rules = declaration()["ApplicationSubmitted.v1"]
    app = str(uuid.uuid4())
    kept = {"name": "Ada", "email": "ada@x.example", "phone": None, "language": "en"}
    erased = {"language": "en"}  # what the read model keeps of a forgotten contact person
    whole = submitted_data(app, "Co", "DE", [kept], "SMART_VEHICLES")
    scrubbed = submitted_data(app, "Co", "DE", [kept, erased], "SMART_VEHICLES")

    assert erased_as_null(rules, whole) is whole  # nothing removed: not even copied
    restored = erased_as_null(rules, scrubbed)
    assert restored["contacts"] == [kept, {"name": None, "email": None, "phone": None,
                                           "language": "en"}]  # fmt: skip
    assert scrubbed["contacts"][1] == erased  # the caller's data untouched
