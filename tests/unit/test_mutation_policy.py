"""Who may run each mutation, for every mutation of the schema and every role: staff run
every one but ADMIN's own (webhooks, lifting an opt-out); a VIEWER none; an EXHIBITOR
only the owner's mutations, and only on its own application. A refusal is FORBIDDEN
and nothing reaches a service. Each mutation gets an input its type accepts, made from
the schema, with ids of the kinds its fields take (gateway.mutations.ID_KINDS)."""

import uuid
from typing import Any

import pytest
from gateway.auth import STAFF, Role, Viewer
from gateway.commands import Refusal, UserError
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.policy import ADMIN_MUTATIONS, OWNER_MUTATIONS
from gateway.relay import global_id
from gateway.schema import schema

from tests.mutation_inputs import mutation_input
from tests.unit.test_gateway_refusals import Commands as Sends

OWN, OTHERS = str(uuid.uuid4()), str(uuid.uuid4())
# The policy, pinned: a change to who may do what is a change of this test too.
ADMIN_ONLY = {
    "registerWebhookEndpoint", "disableWebhookEndpoint", "enableWebhookEndpoint",
    "rotateWebhookSecret", "deleteWebhookEndpoint", "redeliverWebhookDelivery",
    "optInRecipient", "forgetContact", "forgetExhibitorContact",
}  # fmt: skip
BY_THE_EXHIBITOR_ITSELF = {
    "signContract", "withdrawApplication", "updateExhibitorProfile", "addExhibitorContact",
    "removeExhibitorContact", "setSupplyChainAreas", "setProductCategories",
}  # fmt: skip
MUTATIONS = schema._schema.mutation_type
assert MUTATIONS is not None


class Commands(Sends):
    """Records what would be sent, by the generic path (send) or a plain call."""

    async def call(self, actor: str, service: str, method: str, path: str, **_: Any) -> Refusal:
        self.paths.append(path)
        return Refusal([UserError(field=None, message="stopped at the service", code="STOPPED")])


async def _run(name: str, role: Role, application: str) -> tuple[list[str], list[str]]:
    """The codes of the user errors, and the paths sent to a service."""
    commands = Commands()
    services = Services(pool=None, commands=commands, news=None, limits=Limits())  # type: ignore[arg-type]
    viewer = Viewer("someone", role, applications=frozenset({OWN}))
    ids = lambda kind: global_id(kind, application if kind == "Exhibitor" else uuid.uuid4())  # noqa: E731
    input_type, input = mutation_input(MUTATIONS.fields[name], ids)
    result = await schema.execute(
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ code }} }} }}",
        variable_values={"input": input},
        context_value=Context(services=services, viewer=viewer),
    )
    assert result.errors is None, (name, result.errors)
    assert result.data is not None
    return [e["code"] for e in result.data[name]["userErrors"]], commands.paths


def _may(name: str, role: Role, application: str) -> bool:
    if name in ADMIN_ONLY:
        return role is Role.ADMIN
    if role in STAFF:
        return True
    return role is Role.EXHIBITOR and name in BY_THE_EXHIBITOR_ITSELF and application == OWN


@pytest.mark.parametrize("name", sorted(MUTATIONS.fields))
@pytest.mark.parametrize("role", list(Role))
async def test_each_role_runs_only_the_mutations_the_policy_gives_it(name: str, role: Role) -> None:
    for application in (OWN, OTHERS) if role is Role.EXHIBITOR else (OTHERS,):
        codes, sent = await _run(name, role, application)
        if _may(name, role, application):
            assert "FORBIDDEN" not in codes and len(sent) == 1, (name, role, codes)
        else:
            assert codes == ["FORBIDDEN"] and sent == [], (name, role, codes, sent)


def test_the_policy_is_the_one_pinned_here_and_names_mutations_of_the_schema() -> None:
    assert (ADMIN_MUTATIONS, OWNER_MUTATIONS) == (ADMIN_ONLY, BY_THE_EXHIBITOR_ITSELF)
    assert ADMIN_ONLY | BY_THE_EXHIBITOR_ITSELF <= set(MUTATIONS.fields)


NOTE = """mutation($id: ID!) { addNote(input: {recordId: $id, text: "met"})
  { userErrors { field code } } }"""
STAFF_MEMBER = Viewer("staff:ada", Role.ORGANIZER)


async def _note(record: str) -> tuple[Any, Commands]:
    commands = Commands()
    services = Services(pool=None, commands=commands, news=None, limits=Limits())  # type: ignore[arg-type]
    result = await schema.execute(
        NOTE,
        variable_values={"id": record},
        context_value=Context(services=services, viewer=STAFF_MEMBER),
    )
    assert result.errors is None, result.errors
    return result.data, commands


@pytest.mark.parametrize(
    ("kind", "collection"),
    [
        ("Organization", "organizations"),
        ("Contact", "contacts"),
        ("OutreachEvent", "events"),
        ("Interest", "interests"),
    ],
)
async def test_a_note_goes_to_the_record_its_id_names(kind: str, collection: str) -> None:
    record = uuid.uuid4()
    _, commands = await _note(global_id(kind, record))
    assert commands.paths == [f"/{collection}/{record}/notes"]
    assert commands.sent == [{"text": "met"}]


async def test_a_note_on_a_record_of_another_kind_is_not_found_and_not_sent() -> None:
    data, commands = await _note(global_id("Trip", uuid.uuid4()))
    assert data == {"addNote": {"userErrors": [{"field": ["recordId"], "code": "NOT_FOUND"}]}}
    assert commands.paths == []
