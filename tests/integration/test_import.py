"""The bulk import of the organiser's spreadsheet, through the real command API on
PostgreSQL: a generated 500-row file with 20 bad rows of different faults imports 480,
reports the 20 with their reasons, and a second run imports nothing."""

import csv
import random
from pathlib import Path

import httpx
from exhibitors.importer import read_rows, submit_all, write_report
from pavilion_contracts.exhibitors import SupplyChainArea

COLUMNS = [
    "company_name",
    "country",
    "supply_chain_areas",
    "product_categories",
    "contact_name",
    "contact_email",
    "contact_phone",
    "organization_id",
    "previous_editions",
    "booth_size_sqm",
    "edition",
]
AREAS = [area.value for area in SupplyChainArea]
COUNTRIES = ["CN", "CN", "CN", "US", "CA", "DE", "FR", "JP", "KR", "BR", "IN", "SG", "AU"]
# (what is wrong, the change to a good row, what the reasons must mention)
FAULTS = [
    ("no company name", {"company_name": ""}, "companyName"),
    ("unknown country", {"country": "XX"}, "country"),
    ("country spelled out", {"country": "Canada"}, "country"),
    ("no supply-chain area", {"supply_chain_areas": ""}, "supplyChainAreas"),
    ("unknown area", {"supply_chain_areas": "MINING"}, "supplyChainAreas"),
    ("bad email", {"contact_email": "jane.at.example.com"}, "email"),
    ("contact without email", {"contact_email": ""}, "email"),
    ("organization id not a uuid", {"organization_id": "ORG-17"}, "organizationId"),
    ("negative editions", {"previous_editions": "-1"}, "previousEditions"),
    ("editions not a number", {"previous_editions": "many"}, "previousEditions"),
    ("zero booth size", {"booth_size_sqm": "0"}, "boothSizeSqm"),
    ("company name too long", {"company_name": "X" * 201}, "companyName"),
    (
        "too many categories",
        {"product_categories": ";".join(f"c{i}" for i in range(51))},
        "productCategories",
    ),
    ("unknown edition", {"edition": "CISCE-1999"}, "unknown edition"),
    ("malformed edition", {"edition": "expo"}, "edition"),
]


def generate(path: Path, good: int = 480, seed: int = 4) -> dict[int, str]:
    """Write the file; return {row number: expected reason} for the bad rows."""
    rng = random.Random(seed)
    rows = [
        {
            "company_name": f"{rng.choice(['Nova', 'Sino', 'Pacific', 'Atlas', 'Maple'])} "
            f"{rng.choice(['Logistics', 'Robotics', 'Energy', 'Foods', 'Motors'])} {i}",
            "country": rng.choice(COUNTRIES),
            "supply_chain_areas": ";".join(rng.sample(AREAS, rng.randint(1, 3))),
            "product_categories": "parts;services",
            "contact_name": f"Contact {i}",
            "contact_email": f"contact{i}@company{i}.example",
            "contact_phone": "+86 10 5555 0100",
            "organization_id": "",
            "previous_editions": str(rng.randint(0, 3)),
            "booth_size_sqm": str(rng.choice([9, 18, 36])),
            "edition": "",
        }
        for i in range(good)
    ]
    bad = [*FAULTS, *((f"{name} again", change, why) for name, change, why in FAULTS[:4])]
    for k, (_, change, _) in enumerate(bad):
        rows.append({**rows[k], **change, "company_name": change.get("company_name", f"Bad {k}")})
    order = list(range(len(rows)))
    rng.shuffle(order)
    shuffled = [rows[i] for i in order]
    expected = {n + 2: bad[i - good][2] for n, i in enumerate(order) if i >= good}
    shuffled.append(dict(rows[7]))  # the same company again, last: it is the one refused
    expected[len(shuffled) + 1] = "duplicate of row"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(shuffled)
    return expected


async def test_a_500_row_file_with_20_bad_rows_imports_480_and_a_rerun_imports_none(
    exhibitors_api: httpx.AsyncClient, store_pool, tmp_path: Path
):
    file = tmp_path / "registrations.csv"
    expected = generate(file)
    rows = read_rows(file)
    assert (len(rows), len(expected)) == (500, 20)

    first = await submit_all(exhibitors_api, rows, "CISCE-2026")

    assert (first.imported, first.already_there, first.unsent) == (480, 0, [])
    assert [number for number, _, _ in first.rejected] == sorted(expected)
    for number, _, reasons in first.rejected:
        assert expected[number] in reasons, (number, reasons)
    assert (
        await store_pool.fetchval("SELECT count(*) FROM events WHERE type = 'ApplicationSubmitted'")
        == 480
    )
    report = tmp_path / "rejected.csv"
    write_report(report, first.rejected)
    with report.open() as f:
        assert len(list(csv.DictReader(f))) == 20

    recorded = await store_pool.fetchval("SELECT count(*) FROM events")  # and the seed's
    again = await submit_all(exhibitors_api, rows, "CISCE-2026")

    assert (again.imported, again.already_there, len(again.rejected)) == (0, 480, 20)
    assert await store_pool.fetchval("SELECT count(*) FROM events") == recorded
