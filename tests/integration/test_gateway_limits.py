"""What a GraphQL request may cost, checked before anything runs: a query whose nested
connections multiply past the limit, or a string that breaks the text policy, is
refused with a typed error and not one SQL statement (counted on the pool's
connections); a statement that runs too long is cut by statement_timeout and answered
as QUERY_TIMEOUT."""

from typing import Any

import asyncpg
import pytest
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.cost import cost
from gateway.readmodel import read_current
from gateway.schema import make_schema
from graphql import FragmentDefinitionNode, OperationDefinitionNode, parse

NESTED = """query($n: Int) { outreachEvents(first: $n) { edges { node {
  invitations(first: $n) { edges { node { contact { name email } } } }
  interests(first: $n) { edges { node { owner stage } } } } } } }"""
CHEAP = '{ exhibitors(edition: "CISCE-2026", first: 5) { totalCount edges { node { id } } } }'


def context(pool: asyncpg.Pool, limits: Limits) -> Context:
    services = Services(pool=pool, commands=None, news=None, limits=limits)  # type: ignore[arg-type]
    return Context(services=services, viewer=Viewer("staff:test", Role.ADMIN))


def _cost(document: str, **variables: Any) -> int:
    parsed = parse(document)
    [operation] = [d for d in parsed.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)
    }
    return cost(make_schema()._schema, operation, fragments, variables)


def test_nested_connections_multiply_by_their_page_sizes() -> None:
    assert _cost(NESTED, n=10) < _cost(NESTED, n=50) < _cost(NESTED, n=100)
    assert _cost(NESTED, n=100) > 100 * 100  # two connections of 100 under one of 100
    assert _cost(NESTED) == _cost(NESTED, n=20)  # the default page
    assert _cost(NESTED, n="many") == _cost(NESTED, n=100)  # refused later; costed as most
    fragment = """query { ...q } fragment q on Query { contacts(first: 100) { edges {
                    node { name organization { name contacts { name } } } } } }"""
    assert _cost(fragment) > 100 * 10  # lists of records under a page count ten each


async def test_a_query_over_the_cost_limit_is_refused_before_any_sql_runs(counted) -> None:
    pool, statements = counted
    schema = make_schema(Limits(max_cost=5_000))
    statements.clear()
    result = await schema.execute(
        NESTED, variable_values={"n": 50}, context_value=context(pool, Limits())
    )
    assert result.data is None and result.errors
    [error] = result.errors
    assert error.extensions and error.extensions["code"] == "QUERY_TOO_COSTLY"
    assert error.extensions["limit"] == 5_000 and error.extensions["cost"] > 5_000
    assert statements == []
    cheap = await schema.execute(CHEAP, context_value=context(pool, Limits()))
    assert cheap.errors is None and statements  # the count sees statements when there are some


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("W1\x07", "control character"),
        ("\x00", "NUL character"),
        ("x" * 5_001, "longer than"),
        ("\ud800", "not valid Unicode"),
    ],
)
async def test_a_string_that_breaks_the_text_policy_is_refused_before_any_sql(
    counted, value: str, problem: str
) -> None:
    pool, statements = counted
    schema = make_schema()
    statements.clear()
    query = "query($e: String!) { exhibitors(edition: $e) { totalCount } }"
    result = await schema.execute(
        query, variable_values={"e": value}, context_value=context(pool, Limits())
    )
    assert result.errors and result.data is None
    [error] = result.errors
    assert error.extensions == {"code": "VALIDATION", "field": "variables.e"}, error
    assert problem in error.message
    assert statements == []
    literal = await schema.execute(
        '{ exhibitors(edition: "CISCE\\u0007") { totalCount } }',
        context_value=context(pool, Limits()),
    )
    assert literal.errors and literal.errors[0].extensions["code"] == "VALIDATION"  # type: ignore[index]


async def test_a_statement_over_the_timeout_is_a_typed_error(read_model_url: str) -> None:
    conn = await asyncpg.connect(read_model_url)
    try:
        await read_current(conn)
        await conn.execute(  # something to count, so that a search takes a while
            """INSERT INTO exhibitors (id, edition, company_name, country, status,
                 supply_chain_areas, product_categories, contacts, submitted_at,
                 updated_at, version, address)
               SELECT gen_random_uuid(), 'CISCE-2026', 'Co ' || n, 'CA', 'SUBMITTED',
                      '{}', '{}', '[]', now(), now(), 1, '{"country": "CA"}'
               FROM generate_series(1, 50000) AS n"""
        )
    finally:
        await conn.close()
    pool = await asyncpg.create_pool(  # as the API's, with a timeout no search can meet
        read_model_url, min_size=1, max_size=1, setup=read_current,
        server_settings={"statement_timeout": "1"},
    )  # fmt: skip
    try:
        result = await make_schema().execute(
            '{ exhibitors(edition: "CISCE-2026", filter: {search: "o 1"}) { totalCount } }',
            context_value=context(pool, Limits()),
        )
    finally:
        await pool.close()
    assert result.errors, result
    assert result.errors[0].extensions["code"] == "QUERY_TIMEOUT"  # type: ignore[index]


async def test_a_filter_value_out_of_the_databases_range_is_a_validation_error(counted) -> None:
    pool, _ = counted
    result = await make_schema().execute(
        '{ outreachEvents(filter: {startsAfter: "0001-01-01T00:00:00+14:00"}) { totalCount } }',
        context_value=context(pool, Limits()),
    )
    assert result.errors, result
    assert result.errors[0].extensions == {"code": "VALIDATION", "field": "filter"}


def test_a_variables_default_is_costed_as_it_will_run() -> None:
    defaulted = NESTED.replace("query($n: Int)", "query($n: Int = 100)")
    assert _cost(defaulted) == _cost(NESTED, n=100)
    assert _cost(defaulted, n=10) == _cost(NESTED, n=10)  # a value sent wins
    assert _cost(NESTED, n=0) > 1  # an empty page's count still costs
