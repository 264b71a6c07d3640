"""Exhibitor applications as stories: given events, when a command, then events or an error."""

import json
from pathlib import Path
from uuid import uuid4

import jsonschema
import pytest
from exhibitors.commands import SubmitApplication
from exhibitors.domain import ApplicationAlreadyExists, Contact, SupplyChainArea, application_id
from exhibitors.handlers import submit_application
from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import CommandContext, WrongExpectedVersion
from pavilion_core.testing import InMemoryEventStore

SCHEMA = Path(__file__).parents[2] / "schemas/events/exhibitors/ApplicationSubmitted.v1.schema.json"


def ctx(**kw: object) -> CommandContext:
    return CommandContext(Metadata(correlation_id="c-1", actor="organizer@expo"), **kw)  # type: ignore[arg-type]


def submit(company: str = "Maple Robotics Inc.", **kw: object) -> SubmitApplication:
    fields: dict[str, object] = {
        "edition": "CISCE-2026",
        "company_name": company,
        "country": "CA",
        "supply_chain_areas": (SupplyChainArea.ADVANCED_MANUFACTURING,),
        "product_categories": ("industrial robots",),
        "contacts": (Contact("Jane Roy", "jane@maple.example", None),),
    }
    return SubmitApplication(**{**fields, **kw})  # type: ignore[arg-type]


async def test_given_no_application_when_submitted_then_application_submitted():
    store = InMemoryEventStore()
    interest = uuid4()

    result = await submit_application(store, submit(source_interest_id=interest), ctx())

    [event] = store.all_events()
    assert (event.type, event.version, result.version) == ("ApplicationSubmitted", 1, 1)
    assert event.stream_id == result.stream_id
    assert event.data == {
        "applicationId": result.stream_id,
        "edition": "CISCE-2026",
        "companyName": "Maple Robotics Inc.",
        "country": "CA",
        "supplyChainAreas": ["ADVANCED_MANUFACTURING"],
        "productCategories": ["industrial robots"],
        "contacts": [{"name": "Jane Roy", "email": "jane@maple.example", "phone": None}],
        "organizationId": None,
        "sourceInterestId": str(interest),
    }
    assert event.metadata["actor"] == "organizer@expo"
    jsonschema.validate(
        event.data, json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker()
    )


async def test_given_a_submitted_application_when_the_same_company_submits_then_duplicate():
    store = InMemoryEventStore()
    first = await submit_application(store, submit("Maple Robotics Inc."), ctx())

    with pytest.raises(ApplicationAlreadyExists) as refused:
        await submit_application(store, submit("  maple   ROBOTICS inc. "), ctx())

    assert str(refused.value.application_id) == first.stream_id
    assert refused.value.code == "DUPLICATE"
    assert len(store.all_events()) == 1


async def test_an_organization_applies_once_per_edition_whatever_name_it_gives():
    org = uuid4()
    assert application_id("CISCE-2026", org, "A") == application_id("CISCE-2026", org, "B")
    assert application_id("CISCE-2026", org, "A") != application_id("CISCE-2027", org, "A")
    assert application_id("CISCE-2026", None, "A") != application_id("CISCE-2026", org, "A")


async def test_a_stale_expected_version_is_a_conflict():
    store = InMemoryEventStore()
    await submit_application(store, submit(), ctx())
    with pytest.raises(WrongExpectedVersion):
        await submit_application(store, submit(), ctx(expected_version=0))


async def test_a_retried_submission_returns_the_first_result():
    store = InMemoryEventStore()
    first = await submit_application(store, submit(), ctx(idempotency_key="k", fingerprint="f"))
    again = await submit_application(store, submit(), ctx(idempotency_key="k", fingerprint="f"))
    assert again == first and len(store.all_events()) == 1
