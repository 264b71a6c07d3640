"""The 5th edition (CISCE-2027) recruiting now, on the real clock, loaded through the
exhibitors command API after the 4th edition's history (exhibitors.demo):

    python -m exhibitors.recruiting [--api http://127.0.0.1:8001] [--anchor 2026-12-02]
                                    [--seed 2027] [--count 80]

The 5th edition is created (its applications open since 1 September 2026), its halls
and booths copied from the 4th, and the 4th's confirmed exhibitors are offered a place
again (re-booking, their old booth held until a deadline 45 days after the anchor day):
some have accepted and are on their way to confirmation in the booth they had, a few
declined (their booth goes to the head of the waitlist), the others have not answered
yet. `count` new companies apply and are walked to the states an edition shows half a
year before it opens: submitted, under review, approved, rejected, waitlisted,
contracted (deposit paid, some with a booth) and confirmed. Contracts are due 30 days
after the anchor day. Every request carries an Idempotency-Key from the seed and the
step, so a second load within the key's retention adds nothing; `deploy/run.sh` loads it
once per state directory.
"""

import argparse
import asyncio
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from random import Random
from typing import Any

import httpx
from pavilion_core.seeding import Seeder
from pavilion_core.service_tokens import service_client

from exhibitors import demo
from exhibitors.domain.application import application_id
from exhibitors.domain.rebooking import offer_id

EDITION = "CISCE-2027"
CREATE = {
    "code": EDITION,
    "name": "5th China International Supply Chain Expo",
    "city": "Beijing",
    "country": "CN",
    "startsOn": "2027-06-21",
    "endsOn": "2027-06-25",
    "timezone": "Asia/Shanghai",
    "currency": "CNY",
    "supplyChainAreas": demo.AREAS,
    "depositThresholdPct": 50,
    "opensAt": "2027-06-21T09:00:00+08:00",
    "applicationsOpenAt": "2026-09-01T00:00:00+08:00",
    "applicationsCloseAt": "2027-06-01T00:00:00+08:00",
}
DEADLINE_DAYS, PAYMENT_DAYS = 45, 30
DECLINE = {"reason": "no budget for 2027"}
# the answers to the offers, in order: (answer, share of the offers)
ANSWERS = [("ACCEPTED", 0.35), ("CONFIRMED", 0.10), ("DECLINED", 0.08)]  # the rest: none yet
STATES = [  # the new applications: (state, share)
    ("SUBMITTED", 0.38),
    ("UNDER_REVIEW", 0.15),
    ("APPROVED", 0.12),
    ("REJECTED", 0.05),
    ("WAITLISTED", 0.05),
    ("CONTRACTED", 0.15),
    ("CONFIRMED", 0.10),
]


async def load(
    client: httpx.AsyncClient, anchor: date, seed: int = 2027, count: int = 80
) -> Counter[str]:
    """Load the 5th edition's recruitment; how many applications and offers of each kind."""
    loader = Seeder(client, seed, name="recruiting-demo")
    history = demo.story()
    await loader.post("/editions", CREATE)
    await loader.post(f"/editions/{EDITION}/floor-plan/copy", {"fromEdition": demo.EDITION})
    deadline = datetime.combine(anchor + timedelta(days=DEADLINE_DAYS), time(18), demo.BEIJING)
    body = {"fromEdition": demo.EDITION, "deadline": deadline.isoformat()}
    await loader.post(f"/editions/{EDITION}/rebooking", body)
    due = (anchor + timedelta(days=PAYMENT_DAYS)).isoformat()
    done: Counter[str] = Counter()
    held = {app: code for code, app in history.booths.items() if app is not None}
    confirmed = [a for a, status in history.status.items() if status == "CONFIRMED"]
    answers = {p: _share(ANSWERS, n, len(confirmed)) for n, p in enumerate(confirmed)}
    for previous, answer in answers.items():
        if answer != "DECLINED":
            await _answer(loader, previous, answer, history.companies[previous], held, due)
        done[f"offer {answer.lower() if answer else 'pending'}"] += 1
    taken = set(held.values())  # the new ones get none of the booths held for offers
    free = {area: [b for b in booths if b[1] not in taken] for area, booths in _plan().items()}
    returning = {company.name for company in history.companies.values()}
    fresh = [c for c in demo.companies(Random(seed), count * 2) if c.name not in returning]
    for index, company in enumerate(fresh[:count]):
        state = _share(STATES, index, count) or STATES[-1][0]
        await _walk(loader, company, index, state, free, due)
        done[state.lower()] += 1
    for previous in (p for p, answer in answers.items() if answer == "DECLINED"):
        # last: the booth each held goes to the head of the waitlist
        await loader.post(f"/rebooking-offers/{offer_id(EDITION, previous)}/decline", DECLINE)
    return done


def _plan() -> dict[str, list[tuple[str, str]]]:
    """The 4th edition's booths (copied to the 5th) by area, as (hall, code)."""
    booths: dict[str, list[tuple[str, str]]] = {area: [] for area in demo.AREAS}
    for hall, areas in demo.HALLS.items():
        for a, area in enumerate(areas):
            for n in range(demo.BOOTHS_PER_AREA):
                booths[area].append((hall, f"{hall}-{a * demo.BOOTHS_PER_AREA + n + 1:03d}"))
    return booths


def _share(shares: list[tuple[str, float]], index: int, count: int) -> str | None:
    edge = 0.0
    for name, share in shares:
        edge += share
        if index < edge * count:
            return name
    return None


async def _answer(
    loader: Seeder,
    previous: str,
    answer: str | None,
    company: demo.Company,
    held: dict[str, str],
    due: str,
) -> None:
    """An offer accepted (and on its way to `answer`), or not answered yet (None)."""
    if answer is None:
        return
    await loader.post(f"/rebooking-offers/{offer_id(EDITION, previous)}/accept", {})
    app = f"/applications/{application_id(EDITION, None, company.name)}"
    amount = company.size * demo.PRICE_PER_SQM
    await loader.post(f"{app}/contract", {"amount": amount, "currency": "CNY", "dueDate": due})
    await loader.post(f"{app}/contract/sign", {})
    paid = amount if answer == "CONFIRMED" else amount // 2
    await loader.post(f"{app}/payments", _payment(loader, paid))
    if answer == "CONFIRMED" and (code := held.get(previous)):
        await loader.post(f"{app}/booth", {"hall": code.split("-")[0], "boothCode": code})
        await loader.post(f"{app}/confirm", {})


async def _walk(
    loader: Seeder,
    company: demo.Company,
    index: int,
    state: str,
    free: dict[str, list[tuple[str, str]]],
    due: str,
) -> None:
    """A new application, from submission to `state`."""
    body = demo.application_body(company, index) | {"edition": EDITION, "previousEditions": 0}
    app = f"/applications/{await loader.post('/applications', body)}"
    if state == "SUBMITTED":
        return
    await loader.post(f"{app}/review", {})
    if state in ("REJECTED", "WAITLISTED"):
        reason = {"reason": "outside the edition's focus"} if state == "REJECTED" else {}
        await loader.post(f"{app}/{'reject' if state == 'REJECTED' else 'waitlist'}", reason)
    if state in ("UNDER_REVIEW", "REJECTED", "WAITLISTED"):
        return
    await loader.post(f"{app}/approve", {})
    if state == "APPROVED":
        return
    amount = company.size * demo.PRICE_PER_SQM
    await loader.post(f"{app}/contract", {"amount": amount, "currency": "CNY", "dueDate": due})
    await loader.post(f"{app}/contract/sign", {})
    paid = amount if state == "CONFIRMED" else amount // 2
    await loader.post(f"{app}/payments", _payment(loader, paid))
    booths = free[company.areas[0]]
    if booths and (state == "CONFIRMED" or loader.rng.random() < 0.5):
        hall, code = booths.pop(0)
        await loader.post(f"{app}/booth", {"hall": hall, "boothCode": code})
        if state == "CONFIRMED":
            await loader.post(f"{app}/confirm", {})


def _payment(loader: Seeder, amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY", "reference": f"SWIFT-2027-{loader.steps}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m exhibitors.recruiting",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", default="http://127.0.0.1:8001")
    parser.add_argument("--anchor", type=date.fromisoformat, default=date.today())
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--count", type=int, default=80)
    args = parser.parse_args(argv)

    async def run() -> Counter[str]:
        async with service_client("exhibitors", args.api, actor="exhibitors-demo") as client:
            return await load(client, args.anchor, args.seed, args.count)

    done = asyncio.run(run())
    print(", ".join(f"{n} {what}" for what, n in done.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
