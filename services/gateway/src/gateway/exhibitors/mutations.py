"""Mutations of the exhibitors feature: one per command of the exhibitors service's
contract (pavilion_contracts.exhibitors.commands), derived from it (gateway.derived);
defineBooth answers the booth it defined."""

from typing import Any

import strawberry
from pavilion_contracts.exhibitors.commands import COMMANDS, DefineBooth

from gateway.derived import Answer, input_of, mutations
from gateway.exhibitors.types import Booth, Exhibitor
from gateway.mutations import CommandInput, Info, Payload, metadata, run


@strawberry.type
class ExhibitorPayload(Payload):
    exhibitor: Exhibitor | None = None


@strawberry.type
class BoothPayload(Payload):
    booth: Booth | None = None


@strawberry.type(description="The hall's floor plan at its new version: the booth is gone.")
class RetireBoothPayload(Payload):
    pass


async def _define_booth(self: Any, info: Info, input: CommandInput) -> BoothPayload:
    outcome = await run(info, DefineBooth.route, input)
    if not outcome.user_errors:  # a booth is no record of its own: answered as defined
        given = vars(input)
        outcome.node = Booth(
            code=given["booth_code"], hall=given["hall"], size_sqm=given["size_sqm"]
        )
    return outcome.into(BoothPayload, "booth")


_define_booth.__annotations__["input"] = input_of(DefineBooth)


class ExhibitorMutations:
    define_booth = strawberry.mutation(resolver=_define_booth, metadata=metadata(DefineBooth.route))


ANSWERS = {
    "Exhibitor": Answer(ExhibitorPayload, "exhibitor"),
    "retireBooth": Answer(RetireBoothPayload, None),
}
for _name, _mutation in mutations(COMMANDS, ANSWERS, besides=frozenset({"defineBooth"})).items():
    setattr(ExhibitorMutations, _name, _mutation)
strawberry.type(ExhibitorMutations)
