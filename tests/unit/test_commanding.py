"""Commands declared once (pavilion_core.commanding, gateway.derived), on a contract of
this test's own: the router posts each command at its route — path fields from the URL,
the others from the body — and refuses bad input as a typed VALIDATION error (through
pavilion_core.http.install's handlers) without calling the handler; a command that
creates a record is answered 201; the registry refuses a contract with a command
without its handler, or with two; the GraphQL input derived from a command maps its
fields as gateway.derived documents, and two commands that share an input name must
have the same fields."""

import uuid
from collections.abc import AsyncIterator
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, ClassVar

import httpx
import pytest
import strawberry
from fastapi import APIRouter, Depends, FastAPI, Request
from gateway.derived import Answer, including, input_of, mutations, plain_input_of
from gateway.mutations import Payload
from graphql import GraphQLInputObjectType, GraphQLSchema, Undefined
from pavilion_core.bodies import Body, MinorUnits, Text
from pavilion_core.commanding import Command, Contract, Registry, command_router, posts
from pavilion_core.eventstore import AppendResult, CommandContext
from pavilion_core.http import install
from pydantic import Field, field_validator, model_validator

contract = Contract("probes")
SUNDAY = "2026-05-03"


class Colour(StrEnum):
    RED = "RED"
    GREEN = "GREEN"


strawberry.enum(Colour, name="ProbeColour")  # as gateway.enums makes the contract's enums


class SpotIn(Body):
    label: Text
    note: str | None = None


class PlaceIn(Body):
    graphql_name: ClassVar[str] = "ProbePlaceInput"
    city: Text


@contract.command("/probes", "makeProbe", "Probe", creates=True, description="A new probe.")
class MakeProbe(Command):
    """What a probe is made of."""

    name: Annotated[Text, Field(description="What it is called.")]
    budget: Annotated[int, MinorUnits(), Field(ge=0)]
    colour: Colour = Colour.GREEN
    owner_id: uuid.UUID | None = None
    spots: list[SpotIn] = []  # noqa: RUF012 (pydantic copies it; the input must too)
    place: PlaceIn | None = None
    tags: list[str] = Field(default_factory=list)


@contract.command("/probes/{probe_id}/hold", "holdProbe", "Probe")
class HoldProbe(Command):
    probe_id: uuid.UUID
    reason: Text
    days: Annotated[int, Field(ge=1)] = 1


@contract.command("/probes/{probe_id}/schedule", "scheduleProbe", "Probe")
class ScheduleProbe(Command):
    probe_id: uuid.UUID
    starts_on: date
    ends_on: date

    @field_validator("ends_on")
    @classmethod
    def _not_on_a_sunday(cls, value: date) -> date:
        if value.weekday() == 6:
            raise ValueError("not on a Sunday")
        return value

    @model_validator(mode="after")
    def _in_order(self) -> "ScheduleProbe":
        if self.ends_on < self.starts_on:
            raise ValueError("it ends before it starts")
        return self


@contract.command("/probes/{probe_id}/ping", "pingProbe", "")
class PingProbe(Command):
    probe_id: uuid.UUID


registry = Registry(contract)


class Handlers:
    def __init__(self) -> None:
        self.handled: list[tuple[Command, CommandContext]] = []

    @registry.handles(MakeProbe, HoldProbe, ScheduleProbe, PingProbe)
    async def handle(self, command: Command, ctx: CommandContext) -> AppendResult:
        self.handled.append((command, ctx))
        stream = str(getattr(command, "probe_id", None) or uuid.uuid4())
        return AppendResult(stream, 2, [str(uuid.uuid4())], [7], {stream: 2})


async def _acting(request: Request) -> None:
    request.state.actor = "staff:tester"  # what the service-token guard sets


async def _ready() -> bool:
    return True


@pytest.fixture
async def api() -> AsyncIterator[tuple[httpx.AsyncClient, Handlers]]:
    handlers = Handlers()
    dispatch = registry.bind(handlers)
    app = FastAPI()
    install(app, _ready, service="probes", metrics=False)
    router = command_router(contract, lambda _: dispatch)
    app.include_router(router, dependencies=[Depends(_acting)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://probes") as client:
        yield client, handlers


def _refusal(response: httpx.Response) -> list[list[str]]:
    """The fields of a VALIDATION refusal."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION", error
    return [field["field"] for field in error["fields"]]


async def test_a_command_is_posted_at_its_route_with_path_and_body(
    api: tuple[httpx.AsyncClient, Handlers],
) -> None:
    client, handlers = api
    probe = uuid.uuid4()
    answer = await client.post(
        f"/probes/{probe}/hold",
        json={"reason": " frozen ", "days": 3, "expectedVersion": 1},
        headers={"idempotency-key": "k-1"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["id"] == str(probe) and answer.json()["version"] == 2
    assert answer.json()["streams"] == [{"id": str(probe), "version": 2}]
    [(command, ctx)] = handlers.handled
    assert command == HoldProbe(probe_id=probe, reason="frozen", days=3, expected_version=1)
    assert ctx.expected_version == 1 and ctx.idempotency_key == "k-1"
    assert ctx.metadata.actor == "staff:tester"


async def test_a_command_that_creates_a_record_is_answered_201(
    api: tuple[httpx.AsyncClient, Handlers],
) -> None:
    client, handlers = api
    body = {"name": "Alpha", "budget": 800000, "spots": [{"label": "A1"}], "place": {"city": "X"}}
    answer = await client.post("/probes", json=body)
    assert answer.status_code == 201, answer.text
    [(command, _)] = handlers.handled
    assert isinstance(command, MakeProbe)
    assert command.colour is Colour.GREEN and command.spots == [SpotIn(label="A1")]


async def test_a_body_with_nothing_required_may_be_left_out_one_with_something_may_not(
    api: tuple[httpx.AsyncClient, Handlers],
) -> None:
    client, handlers = api
    probe = uuid.uuid4()
    assert (await client.post(f"/probes/{probe}/ping")).status_code == 200
    assert _refusal(await client.post(f"/probes/{probe}/hold")) == [[]]
    assert [c for c, _ in handlers.handled] == [PingProbe(probe_id=probe)]


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("/probes/not-a-uuid/hold", {"reason": "r"}, [["path", "probe_id"]]),
        ("/probes/{probe}/hold", {"reason": ""}, [["reason"]]),
        ("/probes/{probe}/hold", {"reason": "r", "days": 0}, [["days"]]),
        ("/probes/{probe}/hold", {"reason": "r", "colour": "RED"}, [["colour"]]),
        ("/probes/{probe}/hold", {"reason": "r", "probeId": "{probe}"}, [["probeId"]]),
        ("/probes/{probe}/hold", {"reason": "r", "expectedVersion": -1}, [["expectedVersion"]]),
        ("/probes/{probe}/hold", {"reason": "bad\u0000text"}, [["reason"]]),
        ("/probes", {"name": "A", "budget": 1, "spots": [{}]}, [["spots", "0", "label"]]),
        ("/probes", {"name": "A", "budget": 1, "colour": "BLUE"}, [["colour"]]),
        ("/probes/{probe}/schedule", {"startsOn": "2026-05-02", "endsOn": "2026-05-01"}, [[]]),
        # a field validator of the command's own: the field as the caller spells it
        ("/probes/{probe}/schedule", {"startsOn": "2026-05-02", "endsOn": SUNDAY}, [["endsOn"]]),
    ],
)
async def test_bad_input_is_a_typed_validation_error_and_reaches_no_handler(
    api: tuple[httpx.AsyncClient, Handlers], path: str, body: dict[str, Any], fields: Any
) -> None:
    client, handlers = api
    probe = str(uuid.uuid4())
    answer = await client.post(path.format(probe=probe), json=_filled(body, probe))
    assert _refusal(answer) == fields
    assert handlers.handled == []


def _filled(body: dict[str, Any], probe: str) -> dict[str, Any]:
    return {k: v.format(probe=probe) if isinstance(v, str) else v for k, v in body.items()}


async def test_a_model_validators_refusal_says_why(
    api: tuple[httpx.AsyncClient, Handlers],
) -> None:
    client, _ = api
    body = {"startsOn": "2026-05-02", "endsOn": "2026-05-01"}
    answer = await client.post(f"/probes/{uuid.uuid4()}/schedule", json=body)
    assert "it ends before it starts" in answer.json()["error"]["fields"][0]["message"]


def test_the_openapi_document_has_each_route_its_body_and_its_status() -> None:
    app = FastAPI()
    app.include_router(command_router(contract, lambda _: registry.bind(Handlers())))
    paths = app.openapi()["paths"]
    assert set(paths) == {c.route.path for c in contract.commands}
    hold = paths["/probes/{probe_id}/hold"]["post"]
    assert [p["name"] for p in hold["parameters"]] == ["probe_id"]
    assert hold["requestBody"]["required"] is True
    assert "201" in paths["/probes"]["post"]["responses"]
    assert "required" not in paths["/probes/{probe_id}/ping"]["post"]["requestBody"]


async def test_posts_lets_a_service_answer_a_command_its_own_way() -> None:
    router, seen = APIRouter(), []

    @posts(router, HoldProbe)
    async def hold(command: HoldProbe, request: Request) -> dict[str, str]:
        seen.append(command)
        return {"held": command.reason}

    app = FastAPI()
    install(app, _ready, service="probes", metrics=False)
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://probes") as client:
        answer = await client.post(f"/probes/{uuid.uuid4()}/hold", json={"reason": "r"})
        assert answer.json() == {"held": "r"}
        assert _refusal(await client.post(f"/probes/{uuid.uuid4()}/hold", json={})) == [["reason"]]
    assert len(seen) == 1


def test_a_contract_refuses_a_path_that_names_no_field() -> None:
    with pytest.raises(TypeError, match="probe_id"):

        @Contract("probes").command("/probes/{probe_id}/drop", "dropProbe", "Probe")
        class DropProbe(Command):
            reason: Text


def test_the_registry_refuses_a_command_without_a_handler() -> None:
    partial = Registry(contract)

    class Some:
        @partial.handles(MakeProbe, HoldProbe)
        async def handle(self, command: Command, ctx: CommandContext) -> AppendResult:
            raise NotImplementedError

    with pytest.raises(TypeError, match="no handler for ScheduleProbe, PingProbe"):
        partial.bind(Some())


def test_the_registry_refuses_a_second_handler_for_a_command() -> None:
    twice = Registry(contract)

    @twice.handles(HoldProbe)
    async def first(command: Command, ctx: CommandContext) -> AppendResult:
        raise NotImplementedError

    with pytest.raises(TypeError, match="HoldProbe already has a handler"):

        @twice.handles(PingProbe, HoldProbe)
        async def second(command: Command, ctx: CommandContext) -> AppendResult:
            raise NotImplementedError


def test_the_registry_refuses_a_handler_for_another_contracts_command() -> None:
    with pytest.raises(TypeError, match="HoldProbe is no command of others"):

        @Registry(Contract("others")).handles(HoldProbe)
        async def handle(command: Command, ctx: CommandContext) -> AppendResult:
            raise NotImplementedError


def test_the_registry_binds_each_handler_to_the_object_that_defines_it() -> None:
    handlers = Handlers()
    dispatch = registry.bind(object(), handlers)
    assert set(dispatch) == set(contract.commands)
    assert all(getattr(h, "__self__", None) is handlers for h in dispatch.values())
    with pytest.raises(TypeError, match=r"Handlers\.handle"):
        registry.bind(object())


# The GraphQL side: a schema of the probes' mutations, as a feature of the gateway
# would declare them.
@strawberry.type
class ProbePayload(Payload):
    probe_id: str | None = None


ANSWERS = {"Probe": Answer(ProbePayload, None), "pingProbe": Answer(ProbePayload, None)}


@strawberry.type
@including(mutations(contract, ANSWERS))
class ProbeMutations:
    pass


@strawberry.type
class ProbeQuery:
    probe: int = 0


SCHEMA: GraphQLSchema = strawberry.Schema(query=ProbeQuery, mutation=ProbeMutations)._schema


def _input(name: str) -> dict[str, tuple[str, Any, str | None]]:
    """Each field of the input `name`: its GraphQL type, default and description."""
    made = SCHEMA.type_map[name]
    assert isinstance(made, GraphQLInputObjectType)
    return {k: (str(f.type), f.default_value, f.description) for k, f in made.fields.items()}


def test_a_derived_input_maps_each_field_as_documented() -> None:
    fields = _input("MakeProbeInput")
    assert set(fields) == {
        "idempotencyKey", "wait", "name", "budget", "colour", "ownerId", "spots", "place", "tags"
    }  # fmt: skip
    assert fields["name"] == ("String!", Undefined, "What it is called.")
    assert fields["budget"][:2] == ("Decimal!", Undefined)
    assert fields["budget"][2] == "In the currency's units, e.g. 80000.00"
    assert fields["colour"][:2] == ("ProbeColour!", "GREEN")
    assert fields["ownerId"][:2] == ("ID", None)
    assert fields["spots"][:2] == ("[SpotInput!]!", [])
    assert fields["place"][:2] == ("ProbePlaceInput", None)
    assert fields["tags"][0] == "[String!]!"
    assert _input("SpotInput") == {
        "label": ("String!", Undefined, None),
        "note": ("String", None, None),
    }
    assert SCHEMA.type_map["MakeProbeInput"].description == "What a probe is made of."


def test_an_input_takes_expected_version_only_for_a_change_of_a_record() -> None:
    assert "expectedVersion" in _input("HoldProbeInput")  # a change of a probe
    assert "expectedVersion" not in _input("MakeProbeInput")  # a new one: nothing to expect
    assert "expectedVersion" not in _input("PingProbeInput")  # no record a caller can read
    assert _input("HoldProbeInput")["days"][:2] == ("Int!", 1)
    assert _input("ScheduleProbeInput")["startsOn"][0] == "Date!"


def test_a_mutation_is_described_by_its_route_and_declares_it() -> None:
    mutation = SCHEMA.mutation_type
    assert mutation is not None
    assert set(mutation.fields) == {"makeProbe", "holdProbe", "scheduleProbe", "pingProbe"}
    assert mutation.fields["makeProbe"].description == "A new probe."
    metadata = mutation.fields["holdProbe"].extensions["strawberry-definition"].metadata
    assert metadata == {"routes": (HoldProbe.route,)}


def test_a_plain_input_has_the_commands_fields_only() -> None:
    @Contract("probes").command("/probes/{probe_id}/poke", "pokeProbe", "")
    class PokeProbe(Command):
        probe_id: uuid.UUID

    made = plain_input_of(PokeProbe)
    assert [f.python_name for f in made.__strawberry_definition__.fields] == ["probe_id"]
    with pytest.raises(TypeError, match="PokeProbe does not have the fields of the input"):
        input_of(PokeProbe)  # the same name, with the gateway's fields: another input


def test_two_commands_sharing_an_input_name_must_have_the_same_fields() -> None:
    shared = Contract("probes")

    @shared.command("/probes/{probe_id}/open", "openProbe", "Probe", input="ProbeChangeInput")
    class OpenProbe(Command):
        probe_id: uuid.UUID

    @shared.command("/probes/{probe_id}/close", "closeProbe", "Probe", input="ProbeChangeInput")
    class CloseProbe(Command):
        probe_id: uuid.UUID

    @shared.command("/probes/{probe_id}/shut", "shutProbe", "Probe", input="ProbeChangeInput")
    class ShutProbe(Command):
        probe_id: uuid.UUID
        reason: Text

    assert input_of(OpenProbe) is input_of(CloseProbe)
    with pytest.raises(TypeError, match="ShutProbe does not have the fields of the input"):
        input_of(ShutProbe)


def test_commands_that_share_a_mutation_are_sent_by_the_kind_of_their_record() -> None:
    noted = Contract("probes")

    @noted.command("/probes/{record_id}/notes", "noteRecord", "Probe")
    class NoteProbe(Command):
        record_id: uuid.UUID
        text: Text

    @noted.command("/widgets/{record_id}/notes", "noteRecord", "Widget")
    class NoteWidget(Command):
        record_id: uuid.UUID
        text: Text

    made = mutations(noted, {"noteRecord": Answer(ProbePayload, None)})
    routes = made["note_record"].metadata["routes"]
    assert routes == (NoteProbe.route, NoteWidget.route)

    @noted.command("/gadgets/{record_id}/notes", "noteRecord", "Gadget")
    class NoteGadget(Command):
        record_id: uuid.UUID
        words: Text

    with pytest.raises(TypeError, match="NoteGadget does not have the fields"):
        mutations(noted, {"noteRecord": Answer(ProbePayload, None)})


def test_commands_that_share_a_mutation_change_one_kind_each() -> None:
    twice = Contract("probes")
    for action in ("a", "b"):

        @twice.command(f"/probes/{{probe_id}}/{action}", "twiceProbe", "Probe")
        class Twice(Command):
            probe_id: uuid.UUID

    with pytest.raises(TypeError, match="twiceProbe: each command must change its own kind"):
        mutations(twice, {"twiceProbe": Answer(ProbePayload, None)})
