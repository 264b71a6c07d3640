"""Answers as of a past moment against the real read model, computed from the events:
a contact as it was (but a person forgotten since stays forgotten), nothing before it
existed, a moment not yet come and a too-costly replay refused, an EXHIBITOR kept to
its own applications, and the cost model counting each moment asked for."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.cost import PAST, cost
from gateway.projector import Projector
from gateway.relay import global_id
from gateway.schema import schema
from graphql import parse
from pavilion_core.testing import FixedClock

from tests.integration.test_forgetting_projections import MARKERS, OTHER, story
from tests.support import cloud_event, submitted_data

START = datetime(2025, 12, 1, 9, tzinfo=UTC)  # the story's first event (minute 0)
CONTACT = """query($id: ID!, $at: DateTime) {
  node(id: $id, asOf: $at) { ... on Contact { name email country forgotten } } }"""
BOARD = """query($at: DateTime) {
  editionDashboard(edition: "CISCE-2026", asOf: $at) { totalExhibitors } }"""
EXHIBITOR = """query($id: ID!, $at: DateTime) {
  exhibitor(id: $id, asOf: $at) { companyName status contacts { name }
                                  timeline { edges { node { type } } } } }"""


NODE = "query($id: ID!, $at: DateTime) { node(id: $id, asOf: $at) { id } }"


def context(pool: asyncpg.Pool, viewer: Viewer, limits: Limits | None = None) -> Context:
    services = Services(pool=pool, commands=None, news=None, limits=limits or Limits())  # type: ignore[arg-type]
    services.clock = FixedClock(START + timedelta(days=30))
    return Context(services=services, viewer=viewer)


async def run(ctx: Context, query: str, **variables: Any) -> Any:
    result = await schema.execute(query, variable_values=variables, context_value=ctx)
    return result


def minute(n: float) -> str:
    return (START + timedelta(minutes=n)).isoformat()


ADMIN = Viewer("staff:ada", Role.ADMIN)


async def test_a_contact_as_of_a_moment_is_as_it_was_but_a_person_forgotten_since_stays_forgotten(
    read_pool: asyncpg.Pool,
):
    jane, ada = str(uuid.uuid4()), str(uuid.uuid4())
    await Projector(announce=False).batch(read_pool, story(jane, ada))  # Jane forgotten at 14
    ctx = context(read_pool, ADMIN)

    def asked(contact: str, at: str | None) -> Any:
        return run(ctx, CONTACT, id=global_id("Contact", contact), at=at)

    before = await asked(ada, minute(-1))
    then_ada, then_jane = await asked(ada, minute(2)), await asked(jane, minute(2))
    now_jane = await asked(jane, None)

    assert before.errors is None and before.data == {"node": None}  # nothing yet
    assert then_ada.data["node"] == {"name": OTHER, "email": "ada@keep.example",
                                     "country": "CA", "forgotten": False}  # fmt: skip
    # not yet forgotten at minute 2, but what the read model erased stays erased
    assert then_jane.data["node"] == {"name": None, "email": None, "country": "CA",
                                      "forgotten": False}  # fmt: skip
    assert now_jane.data["node"]["forgotten"] is True
    assert not any(m in str(then_jane.data) for m in MARKERS)


async def test_an_application_as_of_a_moment_has_the_state_and_timeline_it_had(
    read_pool: asyncpg.Pool,
):
    app = str(uuid.uuid4())
    contact = {"name": "Lin Wu", "email": "lin@wu.example", "phone": None, "language": "zh"}
    events = [
        ("ApplicationSubmitted", 1, 0,
         submitted_data(app, "Wu Axles", "CN", [contact], "SMART_VEHICLES")),
        ("ReviewStarted", 2, 10, {"applicationId": app}),
        ("ApplicationApproved", 3, 20, {"applicationId": app}),
    ]  # fmt: skip
    await Projector(announce=False).batch(
        read_pool, [_at(m, t, app, v, d) for t, v, m, d in events]
    )
    ctx = context(read_pool, ADMIN)

    then = await run(ctx, EXHIBITOR, id=global_id("Exhibitor", app), at=minute(15))
    now = await run(ctx, EXHIBITOR, id=global_id("Exhibitor", app), at=None)

    assert then.errors is None, then.errors
    assert then.data["exhibitor"]["status"] == "UNDER_REVIEW"
    assert then.data["exhibitor"]["contacts"] == [{"name": "Lin Wu"}]
    assert [e["node"]["type"] for e in then.data["exhibitor"]["timeline"]["edges"]] == [
        "ApplicationSubmitted",
        "ReviewStarted",
    ]
    assert now.data["exhibitor"]["status"] == "APPROVED"  # the present, untouched


async def test_an_exhibitor_sees_as_of_a_moment_only_what_it_may_see_now(
    read_pool: asyncpg.Pool,
):
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    await Projector(announce=False).batch(
        read_pool,
        [
            _at(
                0, "ApplicationSubmitted", a, 1, submitted_data(a, name, "DE", [], "SMART_VEHICLES")
            )
            for a, name in ((mine, "Mine Co"), (theirs, "Theirs Co"))
        ],
    )
    ctx = context(read_pool, Viewer("exhibitor:x", Role.EXHIBITOR, frozenset({mine})))

    own = await run(ctx, EXHIBITOR, id=global_id("Exhibitor", mine), at=minute(5))
    other = await run(ctx, EXHIBITOR, id=global_id("Exhibitor", theirs), at=minute(5))
    board = await run(ctx, BOARD, at=minute(5))

    assert own.errors is None and own.data["exhibitor"]["companyName"] == "Mine Co"
    assert other.data is None or other.data["exhibitor"] is None
    assert other.errors and other.errors[0].extensions["code"] == "FORBIDDEN"
    assert board.errors and board.errors[0].extensions["code"] == "FORBIDDEN"


async def test_a_moment_not_yet_come_and_a_too_costly_replay_are_refused(read_pool: asyncpg.Pool):
    app = str(uuid.uuid4())
    await Projector(announce=False).batch(
        read_pool,
        [
            _at(
                0,
                "ApplicationSubmitted",
                app,
                1,
                submitted_data(app, "A", "DE", [], "SMART_VEHICLES"),
            )
        ],
    )

    future = await run(context(read_pool, ADMIN), BOARD, at=minute(60 * 24 * 31))
    naive = await run(context(read_pool, ADMIN), BOARD, at="2025-12-01T10:00:00")
    before_year_1 = await run(context(read_pool, ADMIN), BOARD, at="0001-01-01T00:00:00+14:00")
    slow = await run(
        context(read_pool, ADMIN, Limits(statement_seconds=0.000001)), BOARD, at=minute(5)
    )
    fine = await run(context(read_pool, ADMIN), BOARD, at=minute(5))
    delivery = global_id("WebhookDelivery", str(uuid.uuid4()))  # the notifications service's
    webhook = await run(context(read_pool, ADMIN), NODE, id=delivery, at=minute(5))

    assert future.errors[0].extensions == {"code": "VALIDATION", "field": "asOf"}
    assert naive.errors[0].extensions == {"code": "VALIDATION", "field": "asOf"}
    assert before_year_1.errors[0].extensions == {"code": "VALIDATION", "field": "asOf"}
    assert slow.errors[0].extensions["code"] == "QUERY_TIMEOUT"
    assert webhook.errors[0].extensions == {"code": "VALIDATION", "field": "asOf"}
    assert fine.errors is None and fine.data["editionDashboard"]["totalExhibitors"] == 1
    # every connection the replays took is back, in no transaction
    assert (
        await read_pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE state LIKE 'idle in%'"
        )
        == 0
    )


async def test_fields_as_of_different_moments_in_one_request_each_answer_from_their_own(
    read_pool: asyncpg.Pool,
):
    app, hall = str(uuid.uuid4()), "floorplan:CISCE-2026:W1"
    booth = {"edition": "CISCE-2026", "hall": "W1", "boothCode": "W1-01"}
    defined = {**booth, "sizeSqm": 18, "supplyChainArea": "SMART_VEHICLES"}
    held = submitted_data(app, "Held Co", "DE", [], "SMART_VEHICLES")
    await Projector(announce=False).batch(
        read_pool,
        [
            _at(0, "BoothDefined", hall, 1, defined),
            _at(1, "ApplicationSubmitted", app, 1, held),
            _at(10, "BoothAllocated", hall, 2, {**booth, "applicationId": app}),
        ],
    )
    plan = "halls { booths { edges { node { code state holder { companyName } } } } }"
    query = f"""query($before: DateTime, $after: DateTime) {{
      before: floorPlan(edition: "CISCE-2026", asOf: $before) {{ {plan} }}
      after: floorPlan(edition: "CISCE-2026", asOf: $after) {{ {plan} }}
      now: floorPlan(edition: "CISCE-2026") {{ {plan} }} }}"""

    result = await run(context(read_pool, ADMIN), query, before=minute(5), after=minute(10))

    assert result.errors is None, result.errors
    booths = {k: v["halls"][0]["booths"]["edges"][0]["node"] for k, v in result.data.items()}
    assert booths["before"] == {"code": "W1-01", "state": "FREE", "holder": None}
    assert booths["after"] == booths["now"] == {
        "code": "W1-01", "state": "TAKEN", "holder": {"companyName": "Held Co"}}  # fmt: skip


def test_each_moment_asked_for_is_costly():
    def of(query: str, **variables: Any) -> int:
        document = parse(query)
        return cost(schema._schema, document.definitions[0], {}, variables)  # type: ignore[arg-type]

    plain = of('{ editionDashboard(edition: "X") { totalExhibitors } }')
    past = of(
        '{ editionDashboard(edition: "X", asOf: "2026-01-01T00:00:00Z") { totalExhibitors } }'
    )
    two = of('{ yearOverYear(editions: ["A", "B"], daysBeforeOpening: 30) { applications } }')

    assert past == plain + PAST
    assert of(BOARD, at=minute(1)) == of(BOARD, at=None) == plain + PAST  # null: costed as given
    assert of(BOARD) == plain  # left out: the present
    assert two >= 2 * PAST


def _at(n: float, kind: str, subject: str, version: int, data: dict[str, Any]):
    import dataclasses

    event = cloud_event("exhibitors", kind, subject, **data)
    return dataclasses.replace(event, stream_version=version, time=START + timedelta(minutes=n))


async def test_replays_beyond_the_processs_limit_are_refused_busy_not_queued_forever(
    read_pool: asyncpg.Pool,
):
    """Limits.past_replays: each moment holds a connection until its request ends; one
    more than the limit waits no longer than a statement may run, then is refused."""
    query = """query($a: DateTime, $b: DateTime) {
      a: editionDashboard(edition: "CISCE-2026", asOf: $a) { totalExhibitors }
      b: editionDashboard(edition: "CISCE-2026", asOf: $b) { totalExhibitors } }"""
    one = Limits(past_replays=1, statement_seconds=0.5)

    result = await run(context(read_pool, ADMIN, one), query, a=minute(1), b=minute(2))
    both = await run(context(read_pool, ADMIN), query, a=minute(1), b=minute(2))

    assert [e.extensions["code"] for e in result.errors] == ["BUSY"]
    assert both.errors is None
