"""The exhibitors of the demo scenario, generated deterministically and loaded through the
exhibitors command API:

    python -m exhibitors.demo [--api http://127.0.0.1:8001] [--seed 2026] [--count 320]

The 4th edition (CISCE-2026) gets four halls of booths, one hall per pair of supply-chain
areas, and `count` applications from companies of many countries across the seven
areas, walked to every state the story's date allows: submitted, under review,
approved (some with a contract issued), rejected, waitlisted, contracted (deposit paid,
some with a booth), confirmed (paid in full, with a booth) and withdrawn. Cancellation
for non-payment needs a due date in the past, which the story's date does not reach
yet. Every request carries an Idempotency-Key from the seed and the step, so loading
again changes nothing.
"""

import argparse
import asyncio
import sys
from collections import Counter
from dataclasses import dataclass

import httpx
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_core.seeding import Seeder
from pavilion_core.service_tokens import service_client

EDITION = "CISCE-2026"
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
PREFIXES = [
    "Nova",
    "Apex",
    "Harbor",
    "Summit",
    "Blue River",
    "Pioneer",
    "Evergreen",
    "Atlas",
    "Golden Gate",
    "Maple",
    "Lotus",
    "Orion",
    "Silk Road",
    "Polar",
    "Sunrise",
    "Crest",
]
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
    ("SUBMITTED", 0.12),
    ("UNDER_REVIEW", 0.10),
    ("APPROVED", 0.10),
    ("REJECTED", 0.06),
    ("WAITLISTED", 0.06),
    ("CONTRACTED", 0.20),
    ("CONFIRMED", 0.31),
    ("WITHDRAWN", 0.05),
]
PRICE_PER_SQM = 250_000  # CNY minor units (2,500.00 per square metre)


@dataclass(frozen=True)
class Company:
    name: str
    country: str
    areas: list[str]
    size: int


async def load(client: httpx.AsyncClient, seed: int = 2026, count: int = 320) -> Counter[str]:
    demo = Seeder(client, seed, name="exhibitors-demo")
    free = await _booths(demo)
    states: Counter[str] = Counter()
    for index, company in enumerate(_companies(demo, count)):
        state = _state(index, count)
        app = await _submit(demo, company, index)
        await _walk(demo, app, company, state, free)
        states[state] += 1
    return states


async def _booths(demo: Seeder) -> dict[str, list[tuple[str, str]]]:
    """Define every booth; the free ones by area, as (hall, code)."""
    free: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for hall, areas in HALLS.items():
        for a, area in enumerate(areas):
            for n in range(BOOTHS_PER_AREA):
                code = f"{hall}-{a * BOOTHS_PER_AREA + n + 1:03d}"
                body = {
                    "boothCode": code,
                    "sizeSqm": SIZES[n % len(SIZES)],
                    "supplyChainArea": area,
                }
                await demo.post(f"/editions/{EDITION}/halls/{hall}/booths", body)
                free[area].append((hall, code))
    return free


def _companies(demo: Seeder, count: int) -> list[Company]:
    companies: list[Company] = []
    names: set[tuple[str, str]] = set()
    while len(companies) < count:
        areas = demo.rng.sample(AREAS, demo.rng.choice([1, 1, 2]))
        name = f"{demo.rng.choice(PREFIXES)} {demo.rng.choice(PRODUCTS[areas[0]])}"
        country = demo.rng.choice(COUNTRIES)
        if (name, country) in names:
            name = f"{name} {len(companies) + 1}"
        names.add((name, country))
        companies.append(Company(f"{name} ({country})", country, areas, demo.rng.choice(SIZES)))
    return companies


def _state(index: int, count: int) -> str:
    edge = 0.0
    for state, share in STATES:
        edge += share
        if index < edge * count:
            return state
    return STATES[-1][0]


async def _submit(demo: Seeder, company: Company, index: int) -> str:
    domain = "".join(ch for ch in company.name.lower() if ch.isalnum())[:20]
    return await demo.post(
        "/applications",
        {
            "edition": EDITION,
            "companyName": company.name,
            "country": company.country,
            "supplyChainAreas": company.areas,
            "productCategories": [PRODUCTS[company.areas[0]][index % 3].lower()],
            "contacts": [{"name": f"Sales lead {index + 1}", "email": f"expo@{domain}.example"}],
            "previousEditions": index % 4,
            "boothSizeSqm": company.size,
        },
    )


async def _walk(
    demo: Seeder, app: str, company: Company, state: str, free: dict[str, list[tuple[str, str]]]
) -> None:
    """Take the application from SUBMITTED to `state` by the commands of DOMAIN.md."""
    path = f"/applications/{app}"
    if state == "SUBMITTED":
        return
    await demo.post(f"{path}/review", {})
    if state == "UNDER_REVIEW":
        return
    if state in ("REJECTED", "WAITLISTED"):
        body = {"reason": "outside the edition's focus"} if state == "REJECTED" else {}
        await demo.post(f"{path}/{'reject' if state == 'REJECTED' else 'waitlist'}", body)
        return
    await demo.post(f"{path}/approve", {})
    amount = company.size * PRICE_PER_SQM
    if state == "APPROVED":
        if demo.rng.random() < 0.5:
            await demo.post(f"{path}/contract", _contract(amount))
        return
    await demo.post(f"{path}/contract", _contract(amount))
    await demo.post(f"{path}/contract/sign", {})
    paid = amount if state == "CONFIRMED" else amount // 2
    await demo.post(f"{path}/payments", _payment(paid, demo.steps))
    booths = free[company.areas[0]]
    wants_booth = state in ("CONFIRMED", "WITHDRAWN") or demo.rng.random() < 0.5
    if wants_booth and booths:
        hall, code = booths.pop(0)
        await demo.post(f"{path}/booth", {"hall": hall, "boothCode": code})
        if state == "CONFIRMED":
            await demo.post(f"{path}/confirm", {})
    if state == "WITHDRAWN":
        await demo.post(f"{path}/withdraw", {"reason": "budget cut for this year"})


def _contract(amount: int) -> dict[str, object]:
    return {"amount": amount, "currency": "CNY", "dueDate": "2026-04-30"}


def _payment(amount: int, step: int) -> dict[str, object]:
    return {"amount": amount, "currency": "CNY", "reference": f"SWIFT-DEMO-{step}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exhibitors.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", default="http://127.0.0.1:8001")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--count", type=int, default=320)
    args = parser.parse_args(argv)

    async def run() -> Counter[str]:
        async with service_client("exhibitors", args.api, actor="exhibitors-demo") as client:
            return await load(client, args.seed, args.count)

    states = asyncio.run(run())
    print(", ".join(f"{n} {state.lower()}" for state, n in states.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
