"""Mutations of the exhibitors feature: one per command of the exhibitors service's
contract (pavilion_contracts.exhibitors.commands), derived from it (gateway.derived);
defineBooth answers the booth it defined, offerRebooking how many offers it made,
the editions' mutations the new version."""

from typing import Any

import strawberry
from pavilion_contracts.exhibitors.commands import COMMANDS, DefineBooth, OfferRebooking

from gateway.derived import Answer, including, input_of, mutations
from gateway.exhibitors.rebooking import RebookingOffer
from gateway.exhibitors.types import Booth, Exhibitor
from gateway.mutations import CommandInput, Info, Payload, metadata, run


@strawberry.type
class ExhibitorPayload(Payload):
    exhibitor: Exhibitor | None = None


@strawberry.type
class BoothPayload(Payload):
    booth: Booth | None = None


@strawberry.type
class RebookingOfferPayload(Payload):
    rebooking_offer: RebookingOffer | None = None


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


@strawberry.type(description="How many offers the command made (those made before: none).")
class OfferRebookingPayload(Payload):
    offers_made: int | None = None


async def _offer_rebooking(self: Any, info: Info, input: CommandInput) -> OfferRebookingPayload:
    outcome = await run(info, OfferRebooking.route, input)
    made = outcome.answer.get("streams")
    payload = outcome.into(OfferRebookingPayload, None)
    payload.offers_made = len(made) if made is not None else None
    return payload


_offer_rebooking.__annotations__["input"] = input_of(OfferRebooking)


ANSWERS = {
    "Exhibitor": Answer(ExhibitorPayload, "exhibitor"),
    "retireBooth": Answer(RetireBoothPayload, None),
    **dict.fromkeys(
        ["createEdition", "openEditionApplications", "closeEditionApplications", "copyFloorPlan"],
        Answer(EditionChangePayload, None),
    ),
    "RebookingOffer": Answer(RebookingOfferPayload, "rebooking_offer"),
}
OFFER = OfferRebooking.route.mutation
DEFINE_BOOTH = strawberry.mutation(resolver=_define_booth, metadata=metadata(DefineBooth.route))


@strawberry.type
@including(
    {
        **mutations(COMMANDS, ANSWERS, besides=frozenset({DefineBooth.route.mutation, OFFER})),
        "define_booth": DEFINE_BOOTH,
        "offer_rebooking": strawberry.mutation(
            resolver=_offer_rebooking,
            description=OfferRebooking.route.description,
            metadata=metadata(OfferRebooking.route),
        ),
    }
)
class ExhibitorMutations:
    pass
