"""Mutations of the exhibitors feature: commands to the exhibitors service."""

from datetime import date
from decimal import Decimal
from typing import Any

import strawberry
from pavilion_core.commanding import Route

from gateway.enums import SupplyChainArea
from gateway.exhibitors.types import Booth, Exhibitor
from gateway.mutations import (
    ChangeInput,
    CommandInput,
    Info,
    Payload,
    metadata,
    mutation,
    run,
)


@strawberry.type
class ExhibitorPayload(Payload):
    exhibitor: Exhibitor | None = None


@strawberry.type
class BoothPayload(Payload):
    booth: Booth | None = None


@strawberry.input
class ContactInput:
    name: str
    email: str
    phone: str | None = None


@strawberry.input(description="A contact person named in an application.")
class ApplicantContactInput(ContactInput):
    language: str | None = strawberry.field(
        default=None, description="Preferred language, BCP 47 (en, zh, fr-CA)."
    )


@strawberry.input(description="A postal address: at least its country.")
class PostalAddressInput:
    street_lines: list[str] = strawberry.field(default_factory=list)
    city: str | None = None
    postal_code: str | None = None
    region: str | None = None
    country: str


@strawberry.input
class SubmitExhibitorApplicationInput(CommandInput):
    edition: str
    company_name: str
    country: str
    address: PostalAddressInput | None = strawberry.field(
        default=None, description="The company's postal address (default: only the country)."
    )
    supply_chain_areas: list[SupplyChainArea]
    product_categories: list[str] = strawberry.field(default_factory=list)
    contacts: list[ApplicantContactInput] = strawberry.field(default_factory=list)
    organization_id: strawberry.ID | None = None
    source_interest_id: strawberry.ID | None = None
    previous_editions: int = 0
    booth_size_sqm: int | None = None


@strawberry.input
class ApplicationInput(ChangeInput):
    application_id: strawberry.ID


@strawberry.input
class ForgetExhibitorContactInput(ApplicationInput):
    email: str


@strawberry.input
class ReasonInput(ApplicationInput):
    reason: str


@strawberry.input
class IssueContractInput(ApplicationInput):
    amount: Decimal = strawberry.field(description="In the currency's units, e.g. 80000.00")
    currency: str
    due_date: date


@strawberry.input
class RecordPaymentInput(ApplicationInput):
    amount: Decimal
    currency: str
    reference: str


@strawberry.input
class AssignBoothInput(ApplicationInput):
    hall: str
    booth_code: str


@strawberry.input
class UpdateExhibitorProfileInput(ApplicationInput):
    company_name: str | None = None
    country: str | None = None
    website: str | None = None
    description: str | None = None


@strawberry.input
class AddExhibitorContactInput(ApplicationInput, ContactInput):
    pass


@strawberry.input
class RemoveExhibitorContactInput(ApplicationInput):
    email: str


@strawberry.input
class SetSupplyChainAreasInput(ApplicationInput):
    supply_chain_areas: list[SupplyChainArea]


@strawberry.input
class SetProductCategoriesInput(ApplicationInput):
    product_categories: list[str]


@strawberry.input
class DefineBoothInput(CommandInput):
    edition: str
    hall: str
    booth_code: str
    size_sqm: int
    supply_chain_area: SupplyChainArea


def _app(path: str, input: type[ApplicationInput], description: str | None = None) -> Any:
    """A change of one application (the input's applicationId)."""
    route = Route("exhibitors", f"/applications/{{application_id}}/{path}", "", "Exhibitor")
    return mutation(route, input, ExhibitorPayload, "exhibitor", description=description)


SUBMIT = Route("exhibitors", "/applications", "submitExhibitorApplication", "Exhibitor")
DEFINE_BOOTH = Route("exhibitors", "/editions/{edition}/halls/{hall}/booths", "defineBooth", "")
BY_OWNER = "Staff, or the exhibitor itself."


@strawberry.type
class ExhibitorMutations:
    submit_exhibitor_application = mutation(
        SUBMIT, SubmitExhibitorApplicationInput, ExhibitorPayload, "exhibitor"
    )
    start_review = _app("review", ApplicationInput)
    approve_application = _app("approve", ApplicationInput)
    reject_application = _app("reject", ReasonInput)
    waitlist_application = _app("waitlist", ApplicationInput)
    issue_contract = _app("contract", IssueContractInput)
    sign_contract = _app("contract/sign", ApplicationInput, BY_OWNER)
    record_payment = _app("payments", RecordPaymentInput)
    assign_booth = _app("booth", AssignBoothInput)
    confirm_participation = _app("confirm", ApplicationInput)
    withdraw_application = _app("withdraw", ReasonInput, BY_OWNER)
    cancel_application = _app("cancel", ReasonInput, "For non-payment: the booth is released.")
    update_exhibitor_profile = _app("profile", UpdateExhibitorProfileInput, BY_OWNER)
    add_exhibitor_contact = _app("contacts", AddExhibitorContactInput, BY_OWNER)
    remove_exhibitor_contact = _app("contacts/remove", RemoveExhibitorContactInput, BY_OWNER)
    set_supply_chain_areas = _app("supply-chain-areas", SetSupplyChainAreasInput, BY_OWNER)
    set_product_categories = _app("product-categories", SetProductCategoriesInput, BY_OWNER)
    forget_exhibitor_contact = _app(
        "contacts/forget",
        ForgetExhibitorContactInput,
        "ADMIN only. Forget a contact person of the application (GDPR art. 17): their key "
        "is destroyed, every copy of their personal data erased, and they are no longer a "
        "contact. Forgetting again changes nothing.",
    )

    @strawberry.mutation(metadata=metadata(DEFINE_BOOTH))
    async def define_booth(self, info: Info, input: DefineBoothInput) -> BoothPayload:
        outcome = await run(info, DEFINE_BOOTH, input)
        booth = None
        if not outcome.user_errors:
            booth = Booth(code=input.booth_code, hall=input.hall, size_sqm=input.size_sqm)
        return BoothPayload(
            booth=booth,
            version=outcome.version,
            consistency_token=outcome.consistency_token,
            idempotency_key=outcome.idempotency_key,
            user_errors=outcome.user_errors,
        )
