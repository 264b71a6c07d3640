"""The demo scenario of DOMAIN.md, recruiting for the 5th expo (CISCE-2027), generated
deterministically and loaded through the outreach command API:

    python -m outreach.demo [--api http://127.0.0.1:8002] [--seed 2025] [--anchor YYYY-MM-DD]

Its dates are relative to the anchor, the day the demo is first loaded (today unless
given; `make run` keeps the first load's in its state directory): the council's
delegation is in Toronto from two days before it to that day, in Washington D.C. two
days after and in Oakland three days after; 45 organizations and 160 contacts from
Canada and the US (government, institutions, companies), consents, invitations to the
three events, RSVPs, attendance at the Toronto forum (held two days before the anchor),
interests in the 5th edition at every stage with their follow-ups (some overdue), and
notes. Every request carries an Idempotency-Key derived from the seed and the step, so
loading it again with the same anchor changes nothing while the service keeps the keys
(PAVILION_IDEMPOTENCY_RETENTION_HOURS); with another anchor it is refused (the same key
for a different request), never loaded twice.
"""

import argparse
import asyncio
import sys
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_core.seeding import Seeder
from pavilion_core.service_tokens import service_client

FIRST = [
    "Amélie",
    "Liam",
    "Olivia",
    "Noah",
    "Emma",
    "Lucas",
    "Chloé",
    "Ethan",
    "Sophia",
    "Mason",
    "Ava",
    "Jacob",
    "Mia",
    "William",
    "Zoé",
    "James",
    "Isabella",
    "Benjamin",
    "Charlotte",
    "Wei",
    "Priya",
    "Mateo",
    "Aisha",
    "Daniel",
    "Grace",
    "Samuel",
    "Léa",
]
LAST = [
    "Tremblay",
    "Smith",
    "Roy",
    "Chen",
    "Gagnon",
    "Brown",
    "Wilson",
    "Martin",
    "Lee",
    "Côté",
    "Taylor",
    "Nguyen",
    "Patel",
    "Anderson",
    "Garcia",
    "Bouchard",
    "Kim",
    "Singh",
    "Johnson",
    "Lavoie",
    "Walker",
    "Wong",
    "Murphy",
    "Fortin",
    "Clark",
    "Lopez",
]
TITLES = [
    "CEO",
    "Director of Trade",
    "VP Supply Chain",
    "Deputy Minister",
    "Trade Commissioner",
    "Head of Procurement",
    "President",
    "Chief Operating Officer",
    "Economic Counsellor",
    "Managing Partner",
    "Business Development Manager",
    "Professor",
]
AREAS = [area.value for area in SupplyChainArea]
# (name, kind, country, area code for phones, region) — the regions decide the invitations
ORGANIZATIONS = [
    ("Ontario Ministry of Economic Development", "GOVERNMENT", "CA", "416", "east-ca"),
    ("Ministère de l'Économie du Québec", "GOVERNMENT", "CA", "514", "east-ca"),
    ("Toronto Region Board of Trade", "CHAMBER", "CA", "416", "east-ca"),
    ("Canada China Business Council", "ASSOCIATION", "CA", "613", "east-ca"),
    ("University of Waterloo", "INSTITUTION", "CA", "519", "east-ca"),
    ("Vancouver Fraser Port Authority", "GOVERNMENT", "CA", "604", "west"),
    ("U.S. Department of Commerce, ITA", "GOVERNMENT", "US", "202", "east-us"),
    ("Greater Washington Board of Trade", "CHAMBER", "US", "202", "east-us"),
    ("Maryland Department of Commerce", "GOVERNMENT", "US", "410", "east-us"),
    ("Port of Oakland", "GOVERNMENT", "US", "510", "west"),
    ("Bay Area Council", "ASSOCIATION", "US", "415", "west"),
    ("UC Berkeley Engineering", "INSTITUTION", "US", "510", "west"),
]
COMPANY_WORDS = (
    [
        "Maple",
        "Northern",
        "Great Lakes",
        "Laurentian",
        "Potomac",
        "Capitol",
        "Golden Gate",
        "Pacific",
        "Bay",
        "Summit",
        "Frontier",
        "Harbour",
    ],
    [
        "Robotics",
        "Energy",
        "Logistics",
        "Foods",
        "Motors",
        "Health",
        "AI",
        "Semiconductors",
        "Agritech",
        "Freight",
        "Batteries",
        "Materials",
    ],
)
EDITION = "CISCE-2027"  # the 5th expo, which the delegation recruits for
# Each region's stop: (city, country, time zone, first and last day after the anchor),
# and its event: (name, kind, local start, hours, capacity).
STOPS = {
    "east-ca": ("Toronto", "CA", "America/Toronto", -2, 0),
    "east-us": ("Washington", "US", "America/New_York", 2, 2),
    "west": ("Oakland", "US", "America/Los_Angeles", 3, 3),
}
EVENTS = {
    "east-ca": ("Canada-China Trade and Investment Cooperation Forum", "FORUM", time(14), 4, 220),
    "east-us": ("From Policy to Partnership: Supply Chain Forum", "FORUM", time(9, 30), 3.5, 120),
    "west": ("Digital Technology and AI Networking Breakfast", "NETWORKING_BREAKFAST",
             time(7, 30), 2, 60),
}  # fmt: skip
REGIONS = {
    "east-ca": ("CA", ["416", "514", "613", "519"]),
    "east-us": ("US", ["202", "410", "703"]),
    "west": ("US", ["510", "415", "408"]),
}


async def load(
    client: httpx.AsyncClient, seed: int = 2025, anchor: date | None = None
) -> dict[str, int]:
    """Load the scenario with its dates around `anchor` (today, UTC, unless given)."""
    demo, counts = Seeder(client, seed), {}
    day = anchor or datetime.now(UTC).date()
    orgs = await _organizations(demo)
    contacts = await _contacts(demo, orgs, day)
    counts["organizations"], counts["contacts"] = len(orgs), len(contacts)
    leader = contacts[0][0]
    delegation = await demo.post(
        "/delegations",
        {
            "name": "CCPIT delegation to North America",
            "organizer": "CCPIT",
            "leaderId": leader,
            "purpose": "Recruit exhibitors and partners for the 5th CISCE",
        },
    )
    for member, _ in contacts[1:6]:
        await demo.post(f"/delegations/{delegation}/members", {"contactId": member})
    trip = await demo.post(
        "/trips",
        {
            "delegationId": delegation,
            "name": f"North America {day.year}",
            "stops": [
                {
                    "city": city,
                    "country": country,
                    "startsOn": (day + timedelta(days=first)).isoformat(),
                    "endsOn": (day + timedelta(days=last)).isoformat(),
                    "timeZone": zone,
                }
                for city, country, zone, first, last in STOPS.values()
            ],
        },
    )
    events = await _events(demo, trip, day)
    counts["events"] = len(events)
    attended = await _invitations(demo, events, contacts, counts)
    await _interests(demo, attended, events["east-ca"], counts, day)
    await demo.post(
        f"/events/{events['east-ca']}/notes",
        {
            "text": "Over 150 officials, institution heads and executives; strong interest in "
            "clean energy and smart vehicles."
        },
    )
    return counts


async def _organizations(demo: Seeder) -> list[tuple[str, str]]:
    orgs = []
    for name, kind, country, _, region in ORGANIZATIONS:
        orgs.append(
            (
                await demo.post("/organizations", {"name": name, "kind": kind, "country": country}),
                region,
            )
        )
    for i in range(33):  # most in Canada: the Toronto forum is the largest event
        region = ["east-ca", "east-ca", "east-ca", "east-us", "west"][i % 5]
        first, second = COMPANY_WORDS
        name = f"{first[i % len(first)]} {second[(i * 5) % len(second)]} " + (
            "Inc." if region != "east-ca" else "Ltd."
        )
        org = await demo.post(
            "/organizations",
            {
                "name": name,
                "kind": "COMPANY",
                "country": REGIONS[region][0],
                "website": f"https://{_slug(name)}.example",
            },
        )
        orgs.append((org, region))
    return orgs


async def _contacts(demo: Seeder, orgs: list[tuple[str, str]], day: date) -> list[tuple[str, str]]:
    contacts = []
    for i in range(160):
        org, region = orgs[i % len(orgs)]
        country, area_codes = REGIONS[region]
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        body = {
            "name": f"{first} {last}",
            "title": demo.rng.choice(TITLES),
            "email": f"{_slug(first)}.{_slug(last)}{i}@{_slug(org[:8])}.example",
            "phone": f"+1 {demo.rng.choice(area_codes)} 555 {100 + i % 100:04d}",
            "country": country,
            "language": "fr" if i % 9 == 0 and country == "CA" else "en",
            "organizationId": org,
        }
        contact = await demo.post("/contacts", body)
        contacts.append((contact, region))
        if i % 2 == 0:
            await demo.post(
                f"/contacts/{contact}/consents",
                {
                    "channel": "EMAIL",
                    "purpose": "MARKETING",
                    "legalBasis": "EXPRESS",
                    "evidence": "registration form of the Toronto forum",
                },
            )
        elif i % 5 == 0:
            await demo.post(
                f"/contacts/{contact}/consents",
                {
                    "channel": "EMAIL",
                    "purpose": "MARKETING",
                    "legalBasis": "IMPLIED",
                    "evidence": "inquiry about the 5th CISCE",
                    "impliedBy": "INQUIRY",
                    "impliedSince": (day - timedelta(days=48)).isoformat(),
                },
            )
    return contacts


async def _events(demo: Seeder, trip: str, day: date) -> dict[str, str]:
    """Each stop's event, on its first day, at its local time."""
    made = {}
    for index, (region, (name, kind, starts, hours, capacity)) in enumerate(EVENTS.items()):
        _, _, zone, first, _ = STOPS[region]
        at = datetime.combine(day + timedelta(days=first), starts, ZoneInfo(zone))
        made[region] = await demo.post(
            "/events",
            {
                "tripId": trip,
                "stopIndex": index,
                "name": name,
                "kind": kind,
                "startsAt": at.isoformat(),
                "endsAt": (at + timedelta(hours=hours)).isoformat(),
                "capacity": capacity,
            },
        )
    return made


async def _invitations(
    demo: Seeder, events: dict[str, str], contacts: list[tuple[str, str]], counts: dict[str, int]
) -> list[str]:
    attended = []
    for key in ("invited", "accepted", "attended"):
        counts[key] = 0
    for contact, region in contacts[6:]:
        event = events[region]
        await demo.post(f"/events/{event}/invitations", {"contactId": contact})
        counts["invited"] += 1
        accept = demo.rng.random() < 0.8
        await demo.post(f"/events/{event}/rsvp", {"contactId": contact, "accept": accept})
        counts["accepted"] += accept
        if accept and region == "east-ca":  # Toronto has happened; the others are to come
            came = demo.rng.random() < 0.9
            await demo.post(f"/events/{event}/attendance", {"contactId": contact, "attended": came})
            if came:
                attended.append(contact)
                counts["attended"] += 1
    await demo.post(f"/events/{events['east-ca']}/hold", {})
    return attended


async def _interests(
    demo: Seeder, attended: list[str], forum: str, counts: dict[str, int], day: date
) -> None:
    counts["interests"] = counts["converted"] = 0
    for n, contact in enumerate(attended[:36]):
        kind = ["EXHIBIT", "EXHIBIT", "VISIT", "PARTNER"][n % 4]
        interest = await demo.post(
            "/interests",
            {
                "contactId": contact,
                "kind": kind,
                "edition": EDITION,
                "sourceEventId": forum,
                "supplyChainAreas": demo.rng.sample(AREAS, 2),
            },
        )
        counts["interests"] += 1
        await demo.post(f"/interests/{interest}/owner", {"owner": ["li.na", "wang.lei"][n % 2]})
        path = ["stay", "qualify", "nurture", "convert", "lose"][n % 5]
        steps = {
            "qualify": ["qualify"],
            "nurture": ["qualify", "nurture"],
            "convert": ["qualify", "nurture", "convert"],
            "stay": [],
        }.get(path, [])
        for step in steps:
            await demo.post(f"/interests/{interest}/{step}", {})
        if path == "lose":
            await demo.post(f"/interests/{interest}/lose", {"reason": "no budget this year"})
        counts["converted"] += path == "convert"
        if path in ("stay", "qualify", "nurture"):
            # some overdue already, the others due after the trip
            due = datetime.combine(day + timedelta(days=-3 if n % 3 == 0 else 12), time(9), UTC)
            await demo.post(
                "/follow-ups",
                {
                    "subjectId": interest,
                    "owner": ["li.na", "wang.lei"][n % 2],
                    "dueAt": due.isoformat(),
                    "note": "call about booth options",
                },
            )


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m outreach.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api", default="http://127.0.0.1:8002")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--anchor", type=date.fromisoformat, help="the day the dates are relative to (today)"
    )
    args = parser.parse_args(argv)

    async def run() -> dict[str, int]:
        async with service_client("outreach", args.api, actor="demo") as client:
            return await load(client, args.seed, args.anchor)

    counts = asyncio.run(run())
    print(", ".join(f"{n} {what}" for what, n in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
