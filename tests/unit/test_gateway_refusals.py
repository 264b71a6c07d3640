"""What the GraphQL fuzzer (tests/fuzz/test_graphql.py) found the gateway answering with
an internal error, pinned: an amount that is no sum of cents, and a consistency token
forged with a version that is no whole number or a subject PostgreSQL cannot take, are
refused as VALIDATION before anything is sent or waited on."""

import base64
import json
import uuid
from typing import Any

import pytest
from gateway.auth import Role, Viewer
from gateway.commands import UserError
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.news import consistency_token, parse_token
from gateway.relay import global_id
from gateway.schema import schema

APPLICATION = global_id("Exhibitor", uuid.uuid4())
PAYMENT = """mutation($app: ID!, $amount: Decimal!) {
  recordPayment(input: {applicationId: $app, amount: $amount, currency: "CNY", reference: "r"})
  { userErrors { field code } } }"""
WAIT = "query($id: ID!, $t: String) { node(id: $id, atLeast: $t) { id } }"


class Commands:
    """Records what would be sent to a service, and refuses it there."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.paths: list[str] = []

    async def send(self, viewer: Viewer, service: str, path: str, body: dict[str, Any], key: Any):
        self.sent.append(body)
        self.paths.append(path)
        return [UserError(field=None, message="stopped at the service", code="STOPPED")]


def context(commands: Commands | None = None) -> Context:
    services = Services(pool=None, commands=commands, news=None, limits=Limits())  # type: ignore[arg-type]
    return Context(services=services, viewer=Viewer("staff:test", Role.ADMIN))


@pytest.mark.parametrize(
    "amount", ["NaN", "sNaN", "Infinity", "-Infinity", "1e999999999", "0.001", "80000.005"]
)
async def test_an_amount_that_is_no_sum_of_cents_is_refused_and_not_sent(amount: str) -> None:
    commands = Commands()
    result = await schema.execute(
        PAYMENT,
        variable_values={"app": APPLICATION, "amount": amount},
        context_value=context(commands),
    )
    assert result.errors is None, result.errors
    assert result.data == {
        "recordPayment": {"userErrors": [{"field": ["amount"], "code": "VALIDATION"}]}
    }
    assert commands.sent == []


@pytest.mark.parametrize(("amount", "cents"), [("80000.10", 8000010), ("1.100", 110), ("7", 700)])
async def test_an_amount_travels_in_cents_exactly(amount: str, cents: int) -> None:
    commands = Commands()
    await schema.execute(
        PAYMENT,
        variable_values={"app": APPLICATION, "amount": amount},
        context_value=context(commands),
    )
    assert [body["amount"] for body in commands.sent] == [cents]


def forged(*pairs: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(pairs)).encode()).decode()


@pytest.mark.parametrize(
    ("subject", "version"),
    [
        pytest.param(str(uuid.uuid4()), float("inf"), id="infinite version"),  # OverflowError
        pytest.param("a\x00b", 1, id="NUL in the subject"),  # PostgreSQL text has none
        pytest.param("\ud800", 1, id="lone surrogate in the subject"),  # nor UTF-8
        pytest.param(str(uuid.uuid4()), 1.5, id="fractional version"),
        pytest.param(str(uuid.uuid4()), True, id="boolean version"),
        pytest.param(7, 1, id="numeric subject"),
    ],
)
async def test_a_forged_consistency_token_is_refused_as_validation(
    subject: Any, version: Any
) -> None:
    token = forged([subject, version])
    result = await schema.execute(
        WAIT, variable_values={"id": APPLICATION, "t": token}, context_value=context()
    )
    [error] = result.errors or []
    assert error.extensions == {"code": "VALIDATION", "field": "atLeast"}, error


def test_the_tokens_the_gateway_issues_read_back() -> None:
    streams = {str(uuid.uuid4()): 3, "floorplan:CISCE-2026:N1": 7, "waitlist:CISCE-2026": 1}
    assert parse_token(consistency_token(streams)) == streams


WIDE = [[f"stream-{n}", 1] for n in range(17)]


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(forged(), id="no stream"),
        pytest.param(forged(*WIDE), id="more streams than any command writes"),
        pytest.param(forged([str(uuid.uuid4()), 1, 2]), id="a triple"),
        pytest.param(forged(str(uuid.uuid4()), 1), id="the old single-stream shape"),
        pytest.param(forged(["x" * 3200, 1]), id="longer than any token we issue"),
    ],
)
async def test_a_token_of_the_wrong_shape_or_size_is_refused_as_validation(token: str) -> None:
    result = await schema.execute(
        WAIT, variable_values={"id": APPLICATION, "t": token}, context_value=context()
    )
    [error] = result.errors or []
    assert error.extensions == {"code": "VALIDATION", "field": "atLeast"}, error


DEEP = base64.urlsafe_b64encode(b"[" * 1700 + b"]" * 1700).decode()  # past the recursion limit


async def test_a_deeply_nested_cursor_or_token_is_refused_as_validation() -> None:
    for query, variables, field in [
        (WAIT, {"id": APPLICATION, "t": DEEP}, "atLeast"),
        ('query($c: String) { exhibitors(edition: "E", after: $c) { totalCount } }', {"c": DEEP},
         "after"),
    ]:  # fmt: skip
        result = await schema.execute(query, variable_values=variables, context_value=context())
        [error] = result.errors or []
        assert error.extensions == {"code": "VALIDATION", "field": field}, error


BOOTH = """mutation($hall: String!) { defineBooth(input: {edition: "CISCE-2026", hall: $hall,
  boothCode: "B-1", sizeSqm: 9, supplyChainArea: CLEAN_ENERGY}) { userErrors { field code } } }"""


@pytest.mark.parametrize("hall", ["..", ".", "a/b", "%2e%2e", "a b", "a?b=c", "a#b"])
async def test_a_path_value_is_one_plain_segment_or_refused_and_not_sent(hall: str) -> None:
    commands = Commands()
    result = await schema.execute(
        BOOTH, variable_values={"hall": hall}, context_value=context(commands)
    )
    assert result.data == {
        "defineBooth": {"userErrors": [{"field": ["hall"], "code": "VALIDATION"}]}
    }
    assert commands.paths == []


async def test_a_plain_path_value_reaches_its_segment() -> None:
    commands = Commands()
    await schema.execute(
        BOOTH, variable_values={"hall": "W1-north"}, context_value=context(commands)
    )
    assert commands.paths == ["/editions/CISCE-2026/halls/W1-north/booths"]
