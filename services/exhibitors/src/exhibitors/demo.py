"""The 4th edition's story (CISCE-2026) as history: generated deterministically from a
seed and loaded through the history import (exhibitors.history), each command with the
time it happened, so that the dashboard as of any day of the recruitment shows that day.

    python -m exhibitors.demo [--api http://127.0.0.1:8001] [--seed 2026] [--count 320]
    python -m exhibitors.demo --counts [--seed 2026] [--count 320]   # what it holds, as JSON

Four halls of booths are defined in the first days of September 2025, one hall per pair
of supply-chain areas; `count` companies of many countries apply between September 2025
and May 2026 and are walked, at plausible later times, to every state an edition's
history ends in: submitted, under review, approved (some with a contract issued),
rejected, waitlisted, contracted (deposit paid, some with a booth), confirmed (paid in
full, with a booth), withdrawn (a booth they held offered to the waitlist) and cancelled
for non-payment (their contract's due date passed). Everything happens before the expo
opens (2026-06-22 09:00 Beijing time). Each entry's key comes from the seed and the
step, so loading again adds nothing; `--counts` prints the applications by status, the
active ones by country and area, the booths taken and free and the share from abroad,
as the dashboard shows them as of the opening.
"""

import argparse
import asyncio
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from random import Random
from typing import Any

import httpx
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_core.seeding import SeedingFailed

from exhibitors.domain.application import application_id
from exhibitors.history import HistoryEntry, history_client, send_all

EDITION = "CISCE-2026"
HOST = "CN"
ACTOR = "exhibitors-demo"
AREAS = [area.value for area in SupplyChainArea]
HALLS = {"N1": AREAS[0:2], "N2": AREAS[2:4], "S1": AREAS[4:6], "W1": AREAS[6:7]}
BOOTHS_PER_AREA = 40
SIZES = [9, 18, 18, 36, 54]
# Weighted: the host country first, then the countries the expo recruits in most.
COUNTRIES = (
    ["CN"] * 12
    + ["US"] * 4
    + ["DE", "JP", "KR", "CA"] * 2
    + ["FR", "IT", "GB", "NL", "SG", "MY", "TH", "VN", "ID", "IN", "BR", "MX", "AU", "AE"]
    + ["ZA", "SE", "ES", "CH", "PL", "TR", "CL", "NZ"]
)
PREFIXES = ["Nova", "Apex", "Harbor", "Summit", "Blue River", "Pioneer", "Evergreen",
            "Atlas", "Golden Gate", "Maple", "Lotus", "Orion", "Silk Road", "Polar", "Sunrise",
            "Crest"]  # fmt: skip
PRODUCTS = {
    "ADVANCED_MANUFACTURING": ["Robotics", "Machine Tools", "Precision Parts"],
    "CLEAN_ENERGY": ["Solar", "Wind Systems", "Hydrogen"],
    "SMART_VEHICLES": ["EV Components", "Batteries", "Autonomy"],
    "DIGITAL_TECHNOLOGY": ["Semiconductors", "Cloud", "AI Systems"],
    "HEALTHY_LIVING": ["Medical Devices", "Nutrition", "Biotech"],
    "GREEN_AGRICULTURE": ["Agritech", "Seeds", "Cold Chain Foods"],
    "SUPPLY_CHAIN_SERVICES": ["Freight", "Logistics", "Trade Finance"],
}
# (state, share of the applications), in the order the states are reached.
STATES = [
    ("SUBMITTED", 0.08),
    ("UNDER_REVIEW", 0.08),
    ("APPROVED", 0.10),
    ("REJECTED", 0.06),
    ("WAITLISTED", 0.06),
    ("CONTRACTED", 0.20),
    ("CONFIRMED", 0.31),
    ("WITHDRAWN", 0.05),
    ("CANCELLED", 0.06),
]
# the language of a company's contact by its country (the emails' templates: en, zh, fr, de)
LANGUAGES = {"CN": "zh", "FR": "fr", "DE": "de", "CH": "de"}
INACTIVE = {"WITHDRAWN", "REJECTED", "CANCELLED"}  # left out of the counts by country, area
PRICE_PER_SQM = 250_000  # CNY minor units (2,500.00 per square metre)
PAYMENT_DAYS = 30  # a contract is due a month after it is issued
BEIJING = timezone(timedelta(hours=8))
FLOOR_PLANNED = datetime(2025, 9, 1, 9, 0, tzinfo=BEIJING)  # a hall a day from then
APPLICATIONS = (
    datetime(2025, 9, 8, 9, 0, tzinfo=BEIJING),
    datetime(2026, 5, 29, 9, 0, tzinfo=BEIJING),
)
SETTLED = datetime(2026, 6, 19, 18, 0, tzinfo=BEIJING)  # all done before the opening
NEVER_PAID = "the contract's payment did not arrive by its due date"


@dataclass(frozen=True)
class Company:
    name: str
    country: str
    areas: list[str]
    size: int


@dataclass
class Story:
    """The entries of the history, in the order they happened, and what they add up to."""

    entries: list[HistoryEntry] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # application id → final status
    companies: dict[str, Company] = field(default_factory=dict)
    booths: dict[str, str | None] = field(default_factory=dict)  # code → application id

    def counts(self) -> dict[str, Any]:
        """What the dashboard shows as of the opening: applications by status, the active
        ones by country and by area, the booths taken and free, the share from abroad."""
        active = [a for a, s in self.status.items() if s not in INACTIVE]
        taken = sum(1 for holder in self.booths.values() if holder is not None)
        abroad = sum(1 for a in active if self.companies[a].country != HOST)
        return {
            "edition": EDITION,
            "byStatus": dict(sorted(Counter(self.status.values()).items())),
            "byCountry": dict(sorted(Counter(self.companies[a].country for a in active).items())),
            "byArea": dict(
                sorted(Counter(area for a in active for area in self.companies[a].areas).items())
            ),
            "boothsTaken": taken,
            "boothsFree": len(self.booths) - taken,
            "foreignShare": round(abroad / len(active), 4) if active else 0.0,
        }


class _Writer:
    """Writes one application's entries, each a step later than the one before."""

    def __init__(self, story: Story, rng: Random, seed: int, name: str) -> None:
        self.story, self.rng, self.prefix, self.steps = story, rng, f"demo-{seed}-{name}", 0
        self.pending: list[tuple[timedelta, str, dict[str, Any]]] = []
        self.offset = timedelta(0)

    def then(self, command: str, body: dict[str, Any], days: tuple[int, int] = (0, 0)) -> None:
        self.offset += timedelta(days=self.rng.randint(*days), minutes=self.rng.randint(0, 420))
        self.pending.append((self.offset, command, body))

    def write(self, start: datetime) -> None:
        """The steps from `start`, moved earlier if they would end after SETTLED."""
        start = min(start, SETTLED - self.offset)
        for offset, command, body in self.pending:
            self.steps += 1
            if command == "IssueContract":  # due a month after it is issued
                due = (start + offset + timedelta(days=PAYMENT_DAYS)).date()
                body = body | {"dueDate": due.isoformat()}
            self.story.entries.append(
                HistoryEntry(
                    occurred_at=start + offset,
                    command=command,
                    body=body,
                    key=f"{self.prefix}-{self.steps}",
                )
            )


def story(seed: int = 2026, count: int = 320) -> Story:
    """The whole history, deterministic from `seed`."""
    rng, told = Random(seed), Story()
    free = _booths(told, seed)
    for index, company in enumerate(companies(rng, count)):
        app = application_id(EDITION, None, company.name)
        told.companies[app] = company
        writer = _Writer(told, rng, seed, f"app-{index + 1}")
        told.status[app] = _walk(writer, app, company, index, _state(index, count), free)
        first, last = APPLICATIONS
        writer.write(first + (last - first) * rng.random())
    told.entries.sort(key=lambda entry: entry.occurred_at)  # stable: each record's in order
    _release_withdrawn(told)
    return told


def _booths(told: Story, seed: int) -> dict[str, list[tuple[str, str]]]:
    """Define every booth, a hall a day; the free ones by area, as (hall, code)."""
    free: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for day, (hall, areas) in enumerate(HALLS.items()):
        for a, area in enumerate(areas):
            for n in range(BOOTHS_PER_AREA):
                code = f"{hall}-{a * BOOTHS_PER_AREA + n + 1:03d}"
                body = {"edition": EDITION, "hall": hall, "boothCode": code,
                        "sizeSqm": SIZES[n % len(SIZES)], "supplyChainArea": area}  # fmt: skip
                at = FLOOR_PLANNED + timedelta(days=day, minutes=a * BOOTHS_PER_AREA + n)
                told.entries.append(
                    HistoryEntry(
                        occurred_at=at, command="DefineBooth", body=body, key=f"demo-{seed}-{code}"
                    )
                )
                told.booths[code] = None
                free[area].append((hall, code))
    return free


def companies(rng: Random, count: int) -> list[Company]:
    companies: list[Company] = []
    names: set[tuple[str, str]] = set()
    while len(companies) < count:
        areas = rng.sample(AREAS, rng.choice([1, 1, 2]))
        name = f"{rng.choice(PREFIXES)} {rng.choice(PRODUCTS[areas[0]])}"
        country = rng.choice(COUNTRIES)
        if (name, country) in names:
            name = f"{name} {len(companies) + 1}"
        names.add((name, country))
        companies.append(Company(f"{name} ({country})", country, areas, rng.choice(SIZES)))
    return companies


def _state(index: int, count: int) -> str:
    edge = 0.0
    for state, share in STATES:
        edge += share
        if index < edge * count:
            return state
    return STATES[-1][0]


def _walk(
    w: _Writer,
    app: str,
    company: Company,
    index: int,
    state: str,
    free: dict[str, list[tuple[str, str]]],
) -> str:
    """The steps from submission to `state` by the commands of DOMAIN.md; the status the
    application ends in."""
    w.then("SubmitApplication", application_body(company, index))
    ref = {"applicationId": app}
    if state == "SUBMITTED":
        return state
    w.then("StartReview", ref, (2, 10))
    if state == "UNDER_REVIEW":
        return state
    if state in ("REJECTED", "WAITLISTED"):
        reason = {"reason": "outside the edition's focus"} if state == "REJECTED" else {}
        w.then("RejectApplication" if state == "REJECTED" else "WaitlistApplication",
               ref | reason, (3, 14))  # fmt: skip
        return state
    w.then("ApproveApplication", ref, (3, 14))
    amount = company.size * PRICE_PER_SQM
    if state == "APPROVED":
        if w.rng.random() < 0.5:
            _contract(w, ref, amount)
        return state
    _contract(w, ref, amount)
    if state == "CANCELLED":
        w.then("CancelForNonPayment", ref | {"reason": NEVER_PAID}, (PAYMENT_DAYS + 3, 45))
        return state
    w.then("SignContract", ref, (2, 10))
    paid = amount if state == "CONFIRMED" else amount // 2
    w.then("RecordPayment", ref | _payment(paid, w), (5, 18))
    return _booth_and_after(w, app, ref, company, state, free)


def _booth_and_after(
    w: _Writer,
    app: str,
    ref: dict[str, Any],
    company: Company,
    state: str,
    free: dict[str, list[tuple[str, str]]],
) -> str:
    booths = free[company.areas[0]]
    if not booths or (state == "CONTRACTED" and w.rng.random() < 0.5):
        return "CONTRACTED" if state != "WITHDRAWN" else _withdraw(w, ref)
    hall, code = booths.pop(0)
    w.then("AssignBooth", ref | {"hall": hall, "boothCode": code}, (1, 7))
    w.story.booths[code] = app
    if state == "CONFIRMED":
        w.then("ConfirmParticipation", ref, (1, 5))
        return state
    return state if state != "WITHDRAWN" else _withdraw(w, ref)


def _withdraw(w: _Writer, ref: dict[str, Any]) -> str:
    w.then("WithdrawApplication", ref | {"reason": "budget cut for this year"}, (5, 30))
    return "WITHDRAWN"


def _release_withdrawn(told: Story) -> None:
    """A withdrawn application's booth is free again (offered to the waitlist, not taken)."""
    for code, holder in told.booths.items():
        if holder is not None and told.status[holder] == "WITHDRAWN":
            told.booths[code] = None


def application_body(company: Company, index: int) -> dict[str, Any]:
    domain = "".join(ch for ch in company.name.lower() if ch.isalnum())[:20]
    return {
        "edition": EDITION,
        "companyName": company.name,
        "country": company.country,
        "supplyChainAreas": company.areas,
        "productCategories": [PRODUCTS[company.areas[0]][index % 3].lower()],
        "contacts": [
            {
                "name": f"Sales lead {index + 1}",
                "email": f"expo@{domain}.example",
                "language": LANGUAGES.get(company.country, "en"),
            }
        ],
        "previousEditions": index % 4,
        "boothSizeSqm": company.size,
    }


def _contract(w: _Writer, ref: dict[str, Any], amount: int) -> None:
    """Issued (its due date set once its time is known: `_Writer.write`)."""
    w.then("IssueContract", ref | {"amount": amount, "currency": "CNY"}, (2, 7))


def _payment(amount: int, w: _Writer) -> dict[str, object]:
    return {"amount": amount, "currency": "CNY", "reference": f"SWIFT-DEMO-{w.prefix}"}


async def load(client: httpx.AsyncClient, seed: int = 2026, count: int = 320) -> Story:
    """Send the story through the history import; a refused entry is SeedingFailed."""
    told = story(seed, count)
    outcome = await send_all(client, enumerate(told.entries, start=1))
    if outcome.rejected or outcome.unsent:
        line, command, why = (outcome.rejected + outcome.unsent)[0]
        raise SeedingFailed(f"entry {line} ({command}) of the demo's history: {why}")
    return told


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exhibitors.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", default="http://127.0.0.1:8001")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=320)
    parser.add_argument("--counts", action="store_true", help="print the counts; load nothing")
    args = parser.parse_args(argv)
    if args.counts:
        print(json.dumps(story(args.seed, args.count).counts(), indent=2))
        return 0

    async def run() -> Story:
        async with history_client(args.api, actor=ACTOR) as client:
            return await load(client, args.seed, args.count)

    told = asyncio.run(run())
    states = Counter(told.status.values())
    print(", ".join(f"{n} {state.lower()}" for state, n in states.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
