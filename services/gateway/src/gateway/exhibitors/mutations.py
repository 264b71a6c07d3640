"""Mutations of the exhibitors feature: one per command of the exhibitors service's
contract (pavilion_contracts.exhibitors.commands), derived from it (gateway.derived);
defineBooth answers the booth it defined, the editions' mutations the new version."""

from typing import Any

import strawberry
from pavilion_contracts.exhibitors.commands import COMMANDS, DefineBooth

from gateway.derived import Answer, including, input_of, mutations
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


@strawberry.type(
    description="The edition's record at its new version (its floor plan's booths too, "
    "for copyFloorPlan); the edition query shows it once the consistency token is met."
)
class EditionChangePayload(Payload):
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


ANSWERS = {
    "Exhibitor": Answer(ExhibitorPayload, "exhibitor"),
    "retireBooth": Answer(RetireBoothPayload, None),
    **dict.fromkeys(
        ["createEdition", "openEditionApplications", "closeEditionApplications", "copyFloorPlan"],
        Answer(EditionChangePayload, None),
    ),
}
DEFINE_BOOTH = strawberry.mutation(resolver=_define_booth, metadata=metadata(DefineBooth.route))


@strawberry.type
@including(
    {
        **mutations(COMMANDS, ANSWERS, besides=frozenset({DefineBooth.route.mutation})),
        "define_booth": DEFINE_BOOTH,
    }
)
class ExhibitorMutations:
    pass
