"""Re-booking end to end, through the gateway and the running services on a simulated
clock: the 4th edition's two confirmed exhibitors are offered a place at the next one,
one accepts (and keeps its booth), the other lets the offer expire (its booth goes to
the head of the new edition's waitlist); each contact gets exactly one email, in their
language, and the dashboard's re-booking rate says one in two."""

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from pavilion_core.config import KafkaSettings

from tests.e2e.stack import Stack, running, scratch
from tests.e2e.test_gateway import mutate
from tests.smtp_catcher import Mailbox
from tests.support import STORY_TIME, eventually

FOURTH, FIFTH = "CISCE-2026", "CISCE-2027"
PROCESSES = [
    ("exhibitors", "api"),
    ("exhibitors", "relay"),
    ("exhibitors", "scheduler"),
    ("gateway", "projector"),
    ("gateway", "api"),
    ("notifications", "worker"),
]
ERRORS = "userErrors { field code message }"
# The subjects of the offer's email, as the templates start them in French and German
SUBJECTS = {"fr": "votre place à", "de": "Ihr Platz auf der"}


def editions_file(directory: Path) -> Path:
    """The packaged 4th edition and the 5th (until editions are records of their own)."""
    fourth = json.loads(files("exhibitors").joinpath("editions.json").read_text())[0]
    fifth = {
        **fourth,
        "code": FIFTH,
        "name": "5th China International Supply Chain Expo",
        "startsOn": "2027-06-21",
        "endsOn": "2027-06-25",
        "opensAt": "2027-06-21T09:00:00+08:00",
    }
    path = directory / "editions.json"
    path.write_text(json.dumps([fourth, fifth]))
    return path


@pytest.fixture
async def stack(
    templates: dict[str, str],
    kafka: KafkaSettings,
    mailbox: tuple[int, Mailbox],
    tmp_path: Path,
) -> AsyncIterator[tuple[Stack, datetime]]:
    """The stack, and the latest its simulated clock can have started at."""
    async with scratch(templates, kafka) as env:
        settings = {
            **env,
            "PAVILION_EDITIONS_FILE": str(editions_file(tmp_path)),
            "PAVILION_SMTP_PORT": str(mailbox[0]),
            "PAVILION_EXHIBITORS_EXPIRY_INTERVAL": "1",
        }
        before = datetime.now(UTC)  # the story's clock starts after this instant
        async with running(PROCESSES, settings, tmp_path) as started:
            yield started, before


def story_now_at_most(before: datetime) -> datetime:
    """An instant the stack's simulated clock has not passed yet (it started later)."""
    return STORY_TIME + (datetime.now(UTC) - before)


async def ok(stack: Stack, name: str, input: dict[str, Any], fields: str = "") -> dict[str, Any]:
    payload = await mutate(stack, name, input, fields=f"{fields} {ERRORS}")
    assert payload["userErrors"] == [], (name, payload)
    return payload


async def booth(stack: Stack, edition: str, code: str) -> None:
    await ok(
        stack,
        "defineBooth",
        {
            "edition": edition,
            "hall": "A",
            "boothCode": code,
            "sizeSqm": 18,
            "supplyChainArea": "CLEAN_ENERGY",
        },
    )


async def applied(stack: Stack, edition: str, company: str, contact: dict[str, str]) -> str:
    input = {
        "edition": edition,
        "companyName": company,
        "country": "DE",
        "supplyChainAreas": ["CLEAN_ENERGY"],
        "contacts": [contact],
    }
    payload = await ok(stack, "submitExhibitorApplication", input, "exhibitor { id }")
    app = str(payload["exhibitor"]["id"])
    await ok(stack, "startReview", {"applicationId": app})
    return app


async def paid_and_placed(stack: Stack, app: str, code: str) -> None:
    """An approved application's contract, paid in full, and its booth `code`."""
    contract = {"applicationId": app, "amount": "1000.00", "currency": "CNY"}
    await ok(stack, "issueContract", {**contract, "dueDate": "2026-03-31"})
    await ok(stack, "signContract", {"applicationId": app})
    await ok(stack, "recordPayment", {**contract, "reference": f"pay-{code}"})
    await ok(stack, "assignBooth", {"applicationId": app, "hall": "A", "boothCode": code})


async def confirmed(stack: Stack, company: str, contact: dict[str, str], code: str) -> str:
    app = await applied(stack, FOURTH, company, contact)
    await ok(stack, "approveApplication", {"applicationId": app})
    await paid_and_placed(stack, app, code)
    await ok(stack, "confirmParticipation", {"applicationId": app})
    return app


OFFERS = """query($edition: String!) { rebookingOffers(edition: $edition) { edges { node {
  id status companyName heldBooth { hall code } application { id status booth { code } } } } } }"""
FLOOR = """query($edition: String!) { floorPlan(edition: $edition) { halls { code
  booths { edges { node { code state holder { id } rebookingOffer { id } } } } } } }"""
DASHBOARD = """query($edition: String!) { editionDashboard(edition: $edition) {
  rebooking { offered accepted declined expired pending rate } } }"""


async def offers(stack: Stack) -> dict[str, dict[str, Any]]:
    listed = (await stack.data(OFFERS, edition=FIFTH))["rebookingOffers"]["edges"]
    return {edge["node"]["companyName"]: edge["node"] for edge in listed}


async def booths(stack: Stack) -> dict[str, dict[str, Any]]:
    [hall] = (await stack.data(FLOOR, edition=FIFTH))["floorPlan"]["halls"]
    return {edge["node"]["code"]: edge["node"] for edge in hall["booths"]["edges"]}


def offer_mails(box: Mailbox, address: str) -> list[str]:
    """The subjects of the re-booking emails `address` received."""
    subjects = [str(m["Subject"]) for m in box.messages() if address in str(m["To"])]
    return [s for s in subjects if any(words in s for words in SUBJECTS.values())]


async def test_the_4th_editions_exhibitors_are_rebooked_one_accepts_one_lets_it_expire(
    stack: tuple[Stack, datetime], mailbox: tuple[int, Mailbox]
) -> None:
    s, before = stack
    box = mailbox[1]
    run = uuid.uuid4().hex[:6]
    amelie = {"name": "Amélie Roy", "email": f"amelie.{run}@keeps.example", "language": "fr"}
    jonas = {"name": "Jonas Weber", "email": f"jonas.{run}@lapses.example", "language": "de"}
    for edition in (FOURTH, FIFTH):
        for code in ("A-1", "A-2"):
            await booth(s, edition, code)
    await confirmed(s, "Keeps Booth SA", amelie, "A-1")
    await confirmed(s, "Lets It Lapse GmbH", jonas, "A-2")
    waiting = await applied(s, FIFTH, "Waiting Line AG", {"name": "Wu", "email": "wu@w.example"})
    await ok(s, "waitlistApplication", {"applicationId": waiting})

    deadline = story_now_at_most(before) + timedelta(seconds=45)
    campaign = {"edition": FIFTH, "fromEdition": FOURTH, "deadline": deadline.isoformat()}
    made = await ok(s, "offerRebooking", campaign, "offersMade")
    assert made["offersMade"] == 2
    assert (await ok(s, "offerRebooking", campaign, "offersMade"))["offersMade"] == 0

    listed = await eventually(lambda: _both_offered(s), within=60, what="the two offers")
    assert {o["heldBooth"]["code"] for o in listed.values()} == {"A-1", "A-2"}
    keeps = listed["Keeps Booth SA"]
    held = (await booths(s))["A-1"]
    assert held["state"] == "OFFERED" and held["rebookingOffer"] == {"id": keeps["id"]}

    accepted = await ok(
        s,
        "acceptRebooking",
        {"offerId": keeps["id"]},
        "rebookingOffer { status application { id status } }",
    )
    application = accepted["rebookingOffer"]["application"]
    assert (
        accepted["rebookingOffer"]["status"] == "ACCEPTED" and application["status"] == "APPROVED"
    )
    assert (await booths(s))["A-1"]["holder"] == {"id": application["id"]}
    await paid_and_placed(s, application["id"], "A-1")  # the booth it held is its own now

    async def expired() -> dict[str, dict[str, Any]] | None:
        now = await offers(s)
        return now if now["Lets It Lapse GmbH"]["status"] == "EXPIRED" else None

    settled = await eventually(expired, within=120, what="the second offer expired")
    assert settled["Keeps Booth SA"]["application"]["booth"] == {"code": "A-1"}
    assert (await booths(s))["A-2"]["holder"] == {"id": waiting}  # the waitlist's head

    async def both_mailed() -> bool:
        return bool(offer_mails(box, amelie["email"]) and offer_mails(box, jonas["email"]))

    await eventually(both_mailed, within=60, what="both contacts emailed")
    assert [SUBJECTS["fr"] in x for x in offer_mails(box, amelie["email"])] == [True]
    assert [SUBJECTS["de"] in x for x in offer_mails(box, jonas["email"])] == [True]

    dashboard = (await s.data(DASHBOARD, edition=FIFTH))["editionDashboard"]["rebooking"]
    assert dashboard == {
        "offered": 2,
        "accepted": 1,
        "declined": 0,
        "expired": 1,
        "pending": 0,
        "rate": 0.5,
    }


async def _both_offered(s: Stack) -> dict[str, dict[str, Any]] | None:
    listed = await offers(s)
    return listed if len(listed) == 2 else None
