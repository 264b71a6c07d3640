"""The demo scenario of DOMAIN.md, generated deterministically and loaded through the
outreach command API:

    python -m outreach.demo [--api http://127.0.0.1:8002] [--seed 2025]

The council's delegation travels to Toronto (30 Nov-2 Dec 2025), Washington D.C.
(4 Dec) and Oakland (5 Dec); 45 organizations and 160 contacts from Canada and the
US (government, institutions, companies), consents, invitations to the three events,
RSVPs, attendance at the Toronto forum (it has happened by 1 Dec 2025, where `make run`
sets the clock), interests at every stage with their follow-ups, and notes. Every
request carries an Idempotency-Key derived from the seed and the step, so running it
again changes nothing.
"""

import argparse
import asyncio
import sys
import unicodedata

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
REGIONS = {
    "east-ca": ("CA", ["416", "514", "613", "519"]),
    "east-us": ("US", ["202", "410", "703"]),
    "west": ("US", ["510", "415", "408"]),
}


async def load(client: httpx.AsyncClient, seed: int = 2025) -> dict[str, int]:
    demo, counts = Seeder(client, seed), {}
    orgs = await _organizations(demo)
    contacts = await _contacts(demo, orgs)
    counts["organizations"], counts["contacts"] = len(orgs), len(contacts)
    leader = contacts[0][0]
    delegation = await demo.post(
        "/delegations",
        {
            "name": "CCPIT delegation to North America",
            "organizer": "CCPIT",
            "leaderId": leader,
            "purpose": "Recruit exhibitors and partners for CISCE 2026",
        },
    )
    for member, _ in contacts[1:6]:
        await demo.post(f"/delegations/{delegation}/members", {"contactId": member})
    trip = await demo.post(
        "/trips",
        {
            "delegationId": delegation,
            "name": "North America 2025",
            "stops": [
                {
                    "city": "Toronto",
                    "country": "CA",
                    "startsOn": "2025-11-30",
                    "endsOn": "2025-12-02",
                    "timeZone": "America/Toronto",
                },
                {
                    "city": "Washington",
                    "country": "US",
                    "startsOn": "2025-12-04",
                    "endsOn": "2025-12-04",
                    "timeZone": "America/New_York",
                },
                {
                    "city": "Oakland",
                    "country": "US",
                    "startsOn": "2025-12-05",
                    "endsOn": "2025-12-05",
                    "timeZone": "America/Los_Angeles",
                },
            ],
        },
    )
    events = await _events(demo, trip)
    counts["events"] = len(events)
    attended = await _invitations(demo, events, contacts, counts)
    await _interests(demo, attended, events["east-ca"], counts)
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


async def _contacts(demo: Seeder, orgs: list[tuple[str, str]]) -> list[tuple[str, str]]:
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
                    "evidence": "inquiry about CISCE 2026",
                    "impliedBy": "INQUIRY",
                    "impliedSince": "2025-10-15",
                },
            )
    return contacts


async def _events(demo: Seeder, trip: str) -> dict[str, str]:
    specs = {
        "east-ca": (
            0,
            "Canada-China Trade and Investment Cooperation Forum",
            "FORUM",
            "2025-11-30T14:00:00-05:00",
            "2025-11-30T18:00:00-05:00",
            220,
        ),
        "east-us": (
            1,
            "From Policy to Partnership: Supply Chain Forum",
            "FORUM",
            "2025-12-04T09:30:00-05:00",
            "2025-12-04T13:00:00-05:00",
            120,
        ),
        "west": (
            2,
            "Digital Technology and AI Networking Breakfast",
            "NETWORKING_BREAKFAST",
            "2025-12-05T07:30:00-08:00",
            "2025-12-05T09:30:00-08:00",
            60,
        ),
    }
    return {
        region: await demo.post(
            "/events",
            {
                "tripId": trip,
                "stopIndex": index,
                "name": name,
                "kind": kind,
                "startsAt": starts,
                "endsAt": ends,
                "capacity": capacity,
            },
        )
        for region, (index, name, kind, starts, ends, capacity) in specs.items()
    }


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


async def _interests(demo: Seeder, attended: list[str], forum: str, counts: dict[str, int]) -> None:
    counts["interests"] = counts["converted"] = 0
    for n, contact in enumerate(attended[:36]):
        kind = ["EXHIBIT", "EXHIBIT", "VISIT", "PARTNER"][n % 4]
        interest = await demo.post(
            "/interests",
            {
                "contactId": contact,
                "kind": kind,
                "edition": "CISCE-2026",
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
            await demo.post(f"/interests/{interest}/lose", {"reason": "no budget for 2026"})
        counts["converted"] += path == "convert"
        if path in ("stay", "qualify", "nurture"):
            due = "2025-11-28T09:00:00Z" if n % 3 == 0 else "2025-12-15T09:00:00Z"
            await demo.post(
                "/follow-ups",
                {
                    "subjectId": interest,
                    "owner": ["li.na", "wang.lei"][n % 2],
                    "dueAt": due,
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
    args = parser.parse_args(argv)

    async def run() -> dict[str, int]:
        async with service_client("outreach", args.api, actor="demo") as client:
            return await load(client, args.seed)

    counts = asyncio.run(run())
    print(", ".join(f"{n} {what}" for what, n in counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
