"""The authorization matrix, generated from the SDL and the event contracts.

One event of every type is planted (planted.py): every personal field of every event
holds a marker of its own. Then, for every role, every root query field (each ID
argument given the id of every kind of record, and forged spellings of them) and every
subscription is asked with a selection of every field to a depth, and the answers —
data, errors, and the cursors decoded — are searched:

* a VIEWER receives no personal marker, anywhere;
* an EXHIBITOR receives nothing of anyone else's: no marker but its own application's;
* forged ids (unknown type, empty type, another type's name, non-canonical base64, not
  a UUID) are NOT_FOUND for everyone, never another spelling of some record;
* every mutation of the SDL a role may not run (a VIEWER: none; an EXHIBITOR: none on
  another's application; an ORGANIZER: ADMIN's) is FORBIDDEN.
"""

import asyncio
import base64
import binascii
import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from aiokafka import AIOKafkaProducer
from gateway.auth import Role
from gateway.news import consistency_token
from gateway.policy import ADMIN_MUTATIONS
from gateway.readmodel import read_current
from gql import Client, gql
from gql.transport.websockets import WebsocketsTransport
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    get_named_type,
)
from pavilion_core.config import KafkaSettings

from tests.e2e.planted import World, plant, records
from tests.e2e.stack import Stack, running, scratch, token
from tests.mutation_inputs import mutation_input
from tests.support import eventually

SDL = build_schema((Path(__file__).parents[2] / "schemas/graphql/schema.graphql").read_text())
PROCESSES = [("exhibitors", "api"), ("gateway", "projector"), ("gateway", "api")]
EDITION = "CISCE-2026"
SERVICES = ("exhibitors", "outreach", "notifications")
DEPTH = 4
# The kind of record each planted id is, and who may see it (EXHIBITOR: "Own" only).
KINDS = {
    "Exhibitor": "Exhibitor", "Own": "Exhibitor", "Contact": "Contact",
    "Organization": "Organization", "Delegation": "Delegation", "Trip": "Trip",
    "OutreachEvent": "OutreachEvent",
    "Interest": "Interest", "FollowUp": "FollowUp", "Notification": "Notification",
    "WebhookEndpoint": "WebhookEndpoint", "WebhookDelivery": "WebhookDelivery",
    "RebookingOffer": "RebookingOffer",
}  # fmt: skip
ADMIN_ONLY = {"WebhookEndpoint", "WebhookDelivery"}
STAFF_ONLY = {"RebookingOffer"}
# What a nested Node (a follow-up's subject) is asked for: the personal fields it may hold.
SUBJECT = """... on Contact { contactName: name title email phone }
             ... on Organization { organizationName: name } ... on Interest { owner }"""


def gid(kind: str, local: str) -> str:
    return base64.urlsafe_b64encode(f"{kind}:{local}".encode()).decode()


@pytest.fixture(scope="module")
async def planted(
    templates: dict[str, str],
    kafka: KafkaSettings,
    producer: AIOKafkaProducer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Stack, World, dict[str, str]]]:
    async with scratch(templates, kafka) as env:
        topics = {s: env[f"PAVILION_{s.upper()}_TOPIC"] for s in SERVICES}
        world = plant(World())
        for topic, record in records(world, topics):
            await producer.send_and_wait(
                topic, record.value, key=record.key, headers=record.headers
            )
        read_model = env["PAVILION_GATEWAY_DATABASE_URL"]
        async with running(PROCESSES, env, tmp_path_factory.mktemp("logs")) as stack:
            await eventually(
                lambda: _projected(read_model, len(world.events)), within=60, what="all planted"
            )
            yield stack, world, topics


async def _projected(read_model: str, planted: int) -> bool:
    """Every planted event is in the read model (none was dead-lettered or skipped)."""
    conn = await asyncpg.connect(read_model)
    try:
        await read_current(conn)
        return bool(await conn.fetchval("SELECT count(*) FROM timeline") == planted)
    finally:
        await conn.close()


def _value(kind: str, argument: str) -> str | int | None:
    return {"first": 3, "edition": EDITION}.get(argument, kind)  # type: ignore[return-value]


def selection(named: GraphQLNamedType, depth: int, path: tuple[str, ...] = ()) -> str:
    """Every field of `named` to `depth` (a type not twice on a path), connections of 3."""
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        return ""
    if depth == 0 or path.count(named.name) > 1:
        return "{ __typename }"
    inner = (*path, named.name)
    parts = [
        f"{name}{_args(field)} {selection(get_named_type(field.type), depth - 1, inner)}"
        for name, field in named.fields.items()
        if _args(field) is not None
    ]
    if isinstance(named, GraphQLInterfaceType):  # a follow-up's subject
        parts.append(SUBJECT)
    return "{ " + " ".join(parts) + " }"


def _required(argument: GraphQLArgument) -> bool:
    """Non-null without a default (build_schema keeps the SDL's default on the AST)."""
    defaulted = argument.ast_node is not None and argument.ast_node.default_value is not None
    return isinstance(argument.type, GraphQLNonNull) and not defaulted


def _args(field: GraphQLField) -> str | None:
    given = []
    for name, argument in field.args.items():
        if name == "first":
            given.append("first: 3")
        elif name == "edition":
            given.append(f'edition: "{EDITION}"')
        elif _required(argument):
            return None  # asked at the root only, with every id
    return f"({', '.join(given)})" if given else ""


CODES = ("edition", "code")  # arguments that name an edition: given the world's


def _literal(name: str, argument: GraphQLArgument) -> str | None:
    """A required argument's value, but for an id (None: each of the world's ids)."""
    if name in CODES:
        return f'"{EDITION}"'
    inner = argument.type.of_type if isinstance(argument.type, GraphQLNonNull) else argument.type
    if isinstance(inner, GraphQLList):  # editions compared
        return f'["{EDITION}"]'
    return "30" if get_named_type(inner).name == "Int" else None


def queries(
    schema: GraphQLSchema, ids: list[tuple[str, str]]
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every root query field, with each of `ids` (kind, global id) for its ID argument;
    a field returning an interface (node) selects the fields of the id's own kind."""
    assert schema.query_type
    for name, field in schema.query_type.fields.items():
        returned = get_named_type(field.type)
        required = {a: _literal(a, arg) for a, arg in field.args.items() if _required(arg)}
        given = [f"{a}: {literal or '$v'}" for a, literal in required.items()]
        given += ["first: 3"] if "first" in field.args else []
        call = f"{name}({', '.join(given)})" if given else name
        if all(required.values()):
            yield f"{{ {call} {selection(returned, DEPTH)} }}", {}
            continue
        for kind, value in ids:
            body = selection(returned, DEPTH)
            if isinstance(returned, GraphQLInterfaceType):
                own = schema.get_type(kind)
                body = f"{{ id ... on {kind} {selection(own, DEPTH - 1)} }}"  # type: ignore[arg-type]
            yield f"query($v: ID!) {{ {call} {body} }}", {"v": value}


def revealed(answer: Any) -> str:
    """The answer as text, with every cursor and base64 string decoded beside it."""
    text = json.dumps(answer, ensure_ascii=False)
    decoded = []
    for candidate in re.findall(r'"([A-Za-z0-9_=+/-]{8,})"', text):
        try:
            decoded.append(base64.urlsafe_b64decode(candidate + "==").decode("utf-8", "ignore"))
        except (binascii.Error, ValueError):
            continue
    return text + "\n".join(decoded)


def ids_of(world: World) -> list[tuple[str, str]]:
    return [(kind, gid(kind, world.ids[name])) for name, kind in KINDS.items()] + [
        ("TimelineEntry", gid("TimelineEntry", str(event.event_id))) for _, event in world.events
    ]


async def ask_everything(
    stack: Stack, who: str, ids: list[tuple[str, str]]
) -> list[tuple[str, Any]]:
    answers = []
    async with httpx.AsyncClient(timeout=30) as http:
        for query, variables in queries(SDL, ids):
            response = await http.post(
                stack.graphql,
                json={"query": query, "variables": variables},
                headers={"authorization": f"Bearer {who}"},
            )
            assert response.status_code == 200, response.text
            answer = response.json()
            assert not _unexpected(answer), (query, answer)
            answers.append((f"{query} {variables}", answer))
    return answers


def _unexpected(answer: dict[str, Any]) -> bool:
    """An internal error, or one without a code (an invalid document: a vacuous test)."""
    codes = [(e.get("extensions") or {}).get("code") for e in answer.get("errors", [])]
    return any(code in (None, "INTERNAL") for code in codes)


def assert_none_of(markers: set[str], answers: list[tuple[str, Any]], who: str) -> None:
    for asked, answer in answers:
        text = revealed(answer)
        leaked = sorted(m for m in markers if m in text)
        assert not leaked, f"{who} was shown {leaked} by {asked}: {text[:2000]}"


async def test_a_viewer_receives_no_personal_data_through_any_query(planted) -> None:
    stack, world, _ = planted
    answers = await ask_everything(stack, token(Role.VIEWER, subject="viewer:vic"), ids_of(world))
    assert_none_of(world.personal, answers, "a VIEWER")
    shown = "".join(revealed(a) for _, a in answers)
    public = [m for m in world.others if m.endswith("N") and m in shown]
    assert len(public) > 20, "the queries reached too little data to prove anything"


async def test_an_exhibitor_receives_nothing_of_anyone_elses(planted) -> None:
    stack, world, _ = planted
    exhibitor = token(Role.EXHIBITOR, world.ids["Own"], subject="exhibitor:own")
    answers = await ask_everything(stack, exhibitor, ids_of(world))
    assert_none_of(world.others, answers, "an EXHIBITOR")
    shown = "".join(revealed(a) for _, a in answers)
    assert {m for m in world.own if m in shown}, "the exhibitor did not even see its own"


@pytest.mark.parametrize("role", list(Role))
async def test_each_role_reaches_each_kind_of_record_only_as_the_policy_says(planted, role) -> None:
    stack, world, _ = planted
    who = token(role, world.ids["Own"], subject=f"{role.value.lower()}:matrix")
    for name, kind in KINDS.items():
        if kind == "WebhookDelivery":
            continue  # read from the notifications service, not running here
        answer = await stack.query(
            "query($id: ID!) { node(id: $id) { id } }", as_=who, id=gid(kind, world.ids[name])
        )
        may = {
            Role.ADMIN: True,
            Role.ORGANIZER: kind not in ADMIN_ONLY,
            Role.VIEWER: kind not in ADMIN_ONLY | STAFF_ONLY,
            Role.EXHIBITOR: name == "Own",
        }[role]
        seen = (answer.get("data") or {}).get("node") is not None
        assert seen == may, (role, name, answer)
        if not may:
            assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN", answer


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EXHIBITOR, Role.ORGANIZER])
async def test_each_role_is_refused_the_mutations_the_policy_denies_it(planted, role) -> None:
    """Every mutation of the SDL, on the planted records (an EXHIBITOR's: someone else's
    application): FORBIDDEN as a typed user error, for every one the role may not run."""
    stack, world, _ = planted
    who = token(role, world.ids["Own"], subject=f"{role.value.lower()}:mutations")
    names = {kind: name for name, kind in reversed(KINDS.items())}  # "Exhibitor": not its own
    assert SDL.mutation_type is not None
    for mutation, field in SDL.mutation_type.fields.items():
        if role is Role.ORGANIZER and mutation not in ADMIN_MUTATIONS:
            continue  # staff's to run: the services it reaches are not running here
        input_type, input = mutation_input(field, lambda kind: gid(kind, world.ids[names[kind]]))
        answer = await stack.data(
            f"mutation($input: {input_type}!) {{ {mutation}(input: $input) "
            "{ userErrors { code } } }",
            as_=who,
            input=input,
        )
        assert answer[mutation]["userErrors"] == [{"code": "FORBIDDEN"}], (role, mutation, answer)


def forgeries(kind: str, local: str) -> dict[str, str]:
    canonical = f"{kind}:{local}".encode()
    return {
        "unknown type": gid("X", local),
        "empty type": gid("", local),
        "a timeline entry": gid("TimelineEntry", local),
        "another type's name": gid("Contact" if kind != "Contact" else "Exhibitor", local),
        "standard base64": base64.b64encode(canonical).decode().replace("=", "") + "=" * 0,
        "unpadded": base64.urlsafe_b64encode(canonical).decode().rstrip("="),
        "upper-case uuid": gid(kind, local.upper()),
        "not a uuid": gid(kind, "not-a-uuid"),
        "bad base64": "!!" + base64.urlsafe_b64encode(canonical).decode(),
        "padded with space": " " + gid(kind, local),
        "no separator": base64.urlsafe_b64encode(local.encode()).decode(),
    }


WELL_FORMED = {"a timeline entry", "another type's name"}
ROOTS = [
    "query($v: ID!) {{ node(id: $v) {body} }}",
    "query($v: ID!) {{ exhibitor(id: $v) {body} }}",
    "query($v: ID!) {{ trip(id: $v) {body} }}",
    "query($v: ID!) {{ timeline(subjectId: $v, first: 3) {body} }}",
]


@pytest.mark.parametrize("role", list(Role))
async def test_forged_ids_are_not_found_for_everyone(planted, role) -> None:
    stack, world, _ = planted
    who = token(role, world.ids["Own"], subject="forger:mallory")
    for root in ROOTS:
        field = re.search(r"\{\{ (\w+)\(", root).group(1)  # type: ignore[union-attr]
        body = selection(get_named_type(SDL.query_type.fields[field].type), 3)  # type: ignore[union-attr]
        query = root.format(body=body)
        for name in ("Exhibitor", "Own", "Contact", "WebhookEndpoint"):
            for what, forged in forgeries(KINDS[name], world.ids[name]).items():
                answer = await stack.query(query, as_=who, v=forged)
                assert not (answer.get("data") or {}).get(field), (field, what, answer)
                codes = {(e.get("extensions") or {}).get("code") for e in answer.get("errors", [])}
                assert codes <= {"NOT_FOUND", "FORBIDDEN"}, (field, what, answer)
                # a well-formed id of a record that is not there may be answered with null
                assert codes or what in WELL_FORMED, (field, what, answer)
                assert_none_of(world.others | world.own, [(what, answer)], role.value)


async def test_an_exhibitor_may_not_wait_on_anothers_record(planted) -> None:
    stack, world, _ = planted
    exhibitor = token(Role.EXHIBITOR, world.ids["Own"], subject="exhibitor:own")
    waited = await stack.query(
        "query($id: ID!, $t: String) { node(id: $id, atLeast: $t) { id } }",
        as_=exhibitor,
        id=gid("Exhibitor", world.ids["Own"]),
        t=consistency_token({world.ids["Exhibitor"]: 99}),
    )
    assert waited["errors"][0]["extensions"]["code"] == "FORBIDDEN", waited


async def _subscribe(stack: Stack, who: str, document: str, variables: dict[str, Any]) -> Any:
    transport = WebsocketsTransport(
        url=stack.graphql.replace("http", "ws"),
        init_payload={"Authorization": f"Bearer {who}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
    )
    async with Client(transport=transport) as session:
        async for item in session.subscribe(gql(document), variable_values=variables):
            return item


async def test_subscriptions_show_a_viewer_no_personal_data_and_an_exhibitor_nothing_of_others(
    planted, producer: AIOKafkaProducer
) -> None:
    stack, world, topics = planted
    contact = gid("Contact", world.ids["Contact"])
    timeline = (
        "subscription($id: ID!) { timeline(subjectId: $id) "
        + selection(
            SDL.get_type("TimelineEntry"),
            2,  # type: ignore[arg-type]
        )
        + " }"
    )
    changed = (
        'subscription { exhibitorChanged(edition: "CISCE-2026") '
        + selection(
            SDL.get_type("Exhibitor"),
            3,  # type: ignore[arg-type]
        )
        + " }"
    )
    viewer = token(Role.VIEWER, subject="viewer:vic")
    for document, variables, about in [
        (timeline, {"id": contact}, world.ids["Contact"]),
        (changed, {}, world.ids["Exhibitor"]),
    ]:
        listening = asyncio.create_task(_subscribe(stack, viewer, document, variables))
        sent = await _publish_until(listening, world, about, topics, producer)
        item = listening.result()
        assert item, document
        assert_none_of(sent | world.personal, [(document, item)], "a VIEWER")
    own = token(Role.EXHIBITOR, world.ids["Own"], subject="exhibitor:own")
    others = {"id": gid("Exhibitor", world.ids["Exhibitor"])}
    with pytest.raises(Exception, match=r"FORBIDDEN|may not see"):
        await asyncio.wait_for(_subscribe(stack, own, timeline, others), 30)


async def _publish_until(
    listening: "asyncio.Task[Any]",
    world: World,
    about: str,
    topics: dict[str, str],
    producer: AIOKafkaProducer,
) -> set[str]:
    """Publish fresh events about the record `about` (new markers each round) until the
    subscription has pushed one, for at most 60 s; the personal markers sent."""
    sent: set[str] = set()
    for round in range(120):
        if listening.done():
            return sent
        later = plant(World(ids=world.ids, counter=itertools.count(100_000 * (round + 1))))
        sent |= later.personal
        for topic, record in records(later, topics):
            if record.key == about.encode():
                await producer.send_and_wait(
                    topic, record.value, key=record.key, headers=record.headers
                )
        await asyncio.wait([listening], timeout=0.5)
    raise AssertionError("the subscription pushed nothing within 60 s")
