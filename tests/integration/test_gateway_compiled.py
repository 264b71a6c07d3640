"""Pages of exhibitors compiled to SQL (gateway.compiled) answer exactly as the executor
does, against the real read model: for every role, a set of documents (aliases,
fragments, __typename, variables, @skip/@include, orders, pages and cursors, errors) and
selections of the Exhibitor type drawn by hypothesis. And the compiled path is the one
taken: one statement for the page, where the executor runs several."""

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from gateway.auth import Role, Viewer
from gateway.compiled import Compiler
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.schema import make_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

COMPILED = make_schema()
EXECUTED = make_schema(compiled=False)
EDITION = "CISCE-2026"
NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
NAMES = ["Ångström Mobility", "Zeta 株式会社", "acme", "Acme", "O'Brien \\ Co", "Ünal % _ Ltd"]


async def _fill(pool: asyncpg.Pool) -> list[str]:
    """Exhibitors of every shape a page shows, and their interests; their ids."""
    rng, ids = random.Random(7), []
    for i in range(64):
        interest, app = uuid.uuid4(), uuid.uuid4()
        captured = NOW + timedelta(seconds=i, microseconds=rng.choice([0, 120000, 7]))
        if i % 4:
            await pool.execute(
                """INSERT INTO interests (id, contact_id, kind, edition, supply_chain_areas,
                       product_categories, stage, owner, version, captured_at, updated_at,
                       converted_at, refusal_code, refusal_reason)
                   VALUES ($1, $2, $3, $4, '{CLEAN_ENERGY}', '{boats}', $5, $6, 3, $7, $7,
                           $8, $9, $10)""",
                interest,
                uuid.uuid4(),
                rng.choice(["EXHIBIT", "VISIT"]),
                EDITION,
                rng.choice(["CONVERTED", "QUALIFIED"]),
                rng.choice([None, "staff:li"]),
                captured,
                rng.choice([None, captured]),
                *rng.choice([(None, None), ("DUPLICATE", "already applied")]),
            )
        contacts = [
            {"name": f"Ann {i}", "email": f"a{i}@x.example"},
            {"name": "Bo", "email": "bo@x.example", "phone": "+86 21 5555 0000", "language": "zh"},
        ][: i % 3]
        amount = rng.choice([None, 0, 5, 1234567, -42])
        await pool.execute(
            """INSERT INTO exhibitors (id, edition, company_name, country, status,
                   supply_chain_areas, product_categories, contacts, source_interest_id,
                   booth_hall, booth_code, booth_size_sqm, contract_amount, paid_amount,
                   currency, version, submitted_at, updated_at, address)
               VALUES ($1, $2, $3, 'CN', $4, $5, $6, $7::jsonb, $8, $9, $10, $11, $12, $13,
                       $14, $15, $16, $17, $18::jsonb)""",
            app,
            EDITION if i < 60 else "CISCE-2027",
            f"{NAMES[i % len(NAMES)]} {i // 3}",
            rng.choice(["SUBMITTED", "CONFIRMED", "WITHDRAWN"]),
            rng.sample(["CLEAN_ENERGY", "SMART_VEHICLES", "HEALTHY_LIVING"], i % 3),
            ["cranes"] if i % 2 else [],
            json.dumps(contacts),
            interest if i % 8 else uuid.uuid4() if i % 16 else None,  # some long gone
            *rng.choice([("N1", f"N1-{i:03}", 18), (None, None, None), ("N2", "", 9)]),
            amount,
            rng.choice([0, 250]),
            rng.choice([None, "CNY"]) if amount is not None else None,
            i,
            NOW - timedelta(days=i, microseconds=rng.choice([0, 999999, 10])),
            NOW + timedelta(minutes=i % 7),
            json.dumps(
                {
                    "streetLines": ["1 Bund Rd", "Floor 2"][: i % 3],
                    "city": rng.choice([None, "Shanghai"]),
                    "postalCode": rng.choice([None, "200000"]),
                    "region": None,
                    "country": "CN",
                }
            ),
        )
        ids.append(str(app))
    return ids


@pytest.fixture
async def page_pool(read_pool: asyncpg.Pool) -> tuple[asyncpg.Pool, list[Viewer]]:
    ids = await _fill(read_pool)
    viewers = [
        Viewer("admin", Role.ADMIN),
        Viewer("staff", Role.ORGANIZER),
        Viewer("public", Role.VIEWER),
        Viewer("firm", Role.EXHIBITOR, frozenset({ids[3], ids[10], ids[62], "not-a-uuid"})),
    ]
    return read_pool, viewers


async def _both(
    pool: asyncpg.Pool, viewer: Viewer, document: str, variables: dict[str, Any] | None = None
) -> tuple[Any, Any]:
    answers = []
    for schema in (COMPILED, EXECUTED):
        services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
        result = await schema.execute(
            document, variable_values=variables, context_value=Context(services, viewer)
        )
        errors = [e.formatted for e in result.errors or ()]
        answers.append(json.loads(json.dumps({"data": result.data, "errors": errors})))
    return answers[0], answers[1]


EVERYTHING = """
  __typename id edition companyName country status supplyChainAreas productCategories
  contacts { __typename name email phone language }
  address { streetLines city postalCode region country }
  booth { code hall sizeSqm } contractAmount { amount currency } paidAmount { amount }
  submittedAt updatedAt version
  sourceInterest { __typename id kind edition supplyChainAreas productCategories stage owner
                   capturedAt convertedAt conversionRefusal { code reason } version }"""
# Documents the compiler answers, and one it leaves to the executor.
DOCUMENTS: list[tuple[str, dict[str, Any] | None]] = [
    (
        """{ exhibitors(edition: "CISCE-2026", first: 50) { totalCount edges { node {
           companyName contacts { name email } booth { code hall }
           sourceInterest { stage } } } } }""",
        None,
    ),
    (
        f"""query Page($e: String!, $n: Int, $after: String, $o: ExhibitorOrder!) {{
          __typename
          page: exhibitors(edition: $e, first: $n, after: $after, orderBy: $o) {{
            __typename n: totalCount
            pageInfo {{ __typename hasNextPage endCursor }}
            edges {{ __typename cursor node {{ {EVERYTHING} }} }}
            more: edges {{ node {{ ...Names ... on Node {{ id }} }} }}
          }}
          other: exhibitors(edition: "CISCE-2027") {{ totalCount edges {{ node {{ id }} }} }}
        }}
        fragment Names on Exhibitor {{ companyName nom: companyName
          country @skip(if: true) status @include(if: false) version @include(if: true) }}""",
        {"e": EDITION, "n": 7, "o": "COMPANY_NAME"},
    ),
    (
        """query($o: ExhibitorOrder = UPDATED_AT) { exhibitors(edition: "CISCE-2026",
             orderBy: $o, first: 100) { pageInfo { hasNextPage endCursor }
             edges { cursor node { id updatedAt submittedAt } } } }""",
        {},
    ),
    (
        """query($f: ExhibitorFilter) { exhibitors(edition: "CISCE-2026", filter: $f) {
             totalCount edges { node { companyName status supplyChainAreas booth { hall } } } }
           acme: exhibitors(edition: "CISCE-2026", filter: {search: "ACME", country: ["cn"]}) {
             totalCount edges { node { companyName } } }
           odd: exhibitors(edition: "CISCE-2026", filter: {search: "% _"}) { totalCount }
           far: exhibitors(edition: "CISCE-2026", filter: {search: "ångström"}) { totalCount }
        }""",
        {"f": {"status": ["CONFIRMED", "WITHDRAWN"], "supplyChainArea": ["CLEAN_ENERGY"]}},
    ),
    (
        """{ exhibitors(edition: "CISCE-2026", filter: {hall: "N1", status: []}) {
             totalCount edges { node { booth { code } } } } }""",
        None,
    ),
    (
        """{ exhibitors(edition: "nowhere", first: 0) { totalCount
             pageInfo { hasNextPage endCursor } edges { cursor } } }""",
        None,
    ),
]
FALLBACK = [
    # another root field, a field without a source, a variable @skip, a bad cursor, an
    # out-of-range page
    """{ exhibitors(edition: "x") { totalCount } exhibitor(id: "bm9wZQ==") { id } }""",
    """{ exhibitors(edition: "CISCE-2026") { edges { node { timeline { totalCount } } } } }""",
    """query($s: Boolean!) { exhibitors(edition: "CISCE-2026") { totalCount @skip(if: $s) } }""",
    """{ exhibitors(edition: "CISCE-2026", after: "bm9wZQ==") { totalCount } }""",
    """{ exhibitors(edition: "CISCE-2026", first: 101) { totalCount } }""",
]


@pytest.mark.parametrize(("document", "variables"), DOCUMENTS)
async def test_a_compiled_page_is_the_executors_answer_for_every_role(
    page_pool: tuple[asyncpg.Pool, list[Viewer]], document: str, variables: dict[str, Any] | None
) -> None:
    pool, viewers = page_pool
    for viewer in viewers:
        assert Compiler(COMPILED).plan(document, None, viewer.role) is not None
        compiled, executed = await _both(pool, viewer, document, variables)
        assert compiled == executed, viewer.role
        assert not executed["errors"]


async def test_the_compiled_pages_follow_the_cursors_to_the_end(
    page_pool: tuple[asyncpg.Pool, list[Viewer]],
) -> None:
    pool, viewers = page_pool
    document = """query($after: String, $o: ExhibitorOrder!) {
      exhibitors(edition: "CISCE-2026", first: 7, after: $after, orderBy: $o) {
        pageInfo { hasNextPage endCursor } edges { cursor node { companyName } } } }"""
    for order in ("COMPANY_NAME", "SUBMITTED_AT", "UPDATED_AT"):
        after, seen = None, 0
        while True:
            variables = {"after": after, "o": order}
            compiled, executed = await _both(pool, viewers[0], document, variables)
            assert compiled == executed
            page = compiled["data"]["exhibitors"]
            seen += len(page["edges"])
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert seen == 60


@pytest.mark.parametrize("document", FALLBACK)
async def test_what_the_compiler_does_not_understand_the_executor_answers(
    page_pool: tuple[asyncpg.Pool, list[Viewer]], document: str
) -> None:
    pool, viewers = page_pool
    for viewer in viewers:
        compiled, executed = await _both(pool, viewer, document, {"s": False})
        assert compiled == executed


async def test_the_compiled_page_is_one_statement(
    counted: tuple[asyncpg.Pool, list[str]],
) -> None:
    pool, statements = counted
    await _fill(pool)
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    ran = []
    for schema in (COMPILED, EXECUTED):
        statements.clear()
        result = await schema.execute(
            DOCUMENTS[0][0], context_value=Context(services, Viewer("a", Role.ADMIN))
        )
        assert result.errors is None
        ran.append([s for s in statements if "exhibitors" in s or "interests" in s])
    assert len(ran[0]) == 1, ran[0]
    assert len(ran[1]) == 3, ran[1]  # the page, its count, the interests


FIELDS = [line.strip() for line in EVERYTHING.replace("}", "}\n").splitlines() if line.strip()]


@st.composite
def selections(draw: st.DrawFn) -> tuple[str, str]:
    """A selection of the Exhibitor type: fields in any order, some aliased, some in
    inline or named fragments, some skipped; and the fragment it spreads."""
    parts, spread = [], []
    for i, name in enumerate(draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8))):
        if draw(st.booleans()):
            name = f"a{i}: {name}"
        how = draw(st.sampled_from(["plain", "inline", "named", "skip", "include"]))
        if how == "inline":
            name = f"... on Exhibitor {{ {name} }}"
        elif how == "named":
            spread.append(name)
            continue
        elif how != "plain":
            head, brace, rest = name.partition("{")
            name = f"{head} @{how}(if: {str(draw(st.booleans())).lower()}) {brace}{rest}"
        parts.append(name)
    fragment = f"fragment F on Exhibitor {{ __typename {' '.join(spread)} }}"
    return " ".join([*parts, "...F"]), fragment


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(drawn=selections(), role=st.sampled_from(range(4)), first=st.integers(0, 70))
async def test_any_selection_of_an_exhibitor_compiles_to_the_executors_answer(
    page_pool: tuple[asyncpg.Pool, list[Viewer]], drawn: tuple[str, str], role: int, first: int
) -> None:
    pool, viewers = page_pool
    selection, fragment = drawn
    document = f"""query($first: Int) {{ exhibitors(edition: "{EDITION}", first: $first) {{
        totalCount edges {{ cursor node {{ {selection} }} }} }} }} {fragment}"""
    compiled, executed = await _both(pool, viewers[role], document, {"first": first})
    assert compiled == executed
