"""Mutations of the exhibitors feature: commands to the exhibitors service."""

from datetime import date
from decimal import Decimal

import strawberry

from gateway.exhibitors.types import Booth, Exhibitor, SupplyChainArea
from gateway.mutations import ChangeInput, Command, CommandInput, Info, Payload, run
from gateway.policy import ADMIN


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


@strawberry.input
class SubmitExhibitorApplicationInput(CommandInput):
    edition: str
    company_name: str
    country: str
    supply_chain_areas: list[SupplyChainArea]
    product_categories: list[str] = strawberry.field(default_factory=list)
    contacts: list[ContactInput] = strawberry.field(default_factory=list)
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
class DefineBoothInput(CommandInput):
    edition: str
    hall: str
    booth_code: str
    size_sqm: int
    supply_chain_area: SupplyChainArea


def _app(path: str, *, owned: bool = False) -> Command:
    return Command("exhibitors", f"/applications/{{}}/{path}", "Exhibitor", owned=owned)


SUBMIT = Command("exhibitors", "/applications", "Exhibitor")
DEFINE_BOOTH = Command("exhibitors", "/editions/{}/halls/{}/booths", "")


async def _change(info: Info, command: Command, input: ApplicationInput) -> ExhibitorPayload:
    outcome = await run(info, command, input, "application_id")
    return outcome.into(ExhibitorPayload, "exhibitor")


@strawberry.type
class ExhibitorMutations:
    @strawberry.mutation
    async def submit_exhibitor_application(
        self, info: Info, input: SubmitExhibitorApplicationInput
    ) -> ExhibitorPayload:
        return (await run(info, SUBMIT, input)).into(ExhibitorPayload, "exhibitor")

    @strawberry.mutation
    async def start_review(self, info: Info, input: ApplicationInput) -> ExhibitorPayload:
        return await _change(info, _app("review"), input)

    @strawberry.mutation
    async def approve_application(self, info: Info, input: ApplicationInput) -> ExhibitorPayload:
        return await _change(info, _app("approve"), input)

    @strawberry.mutation
    async def reject_application(self, info: Info, input: ReasonInput) -> ExhibitorPayload:
        return await _change(info, _app("reject"), input)

    @strawberry.mutation
    async def waitlist_application(self, info: Info, input: ApplicationInput) -> ExhibitorPayload:
        return await _change(info, _app("waitlist"), input)

    @strawberry.mutation
    async def issue_contract(self, info: Info, input: IssueContractInput) -> ExhibitorPayload:
        return await _change(info, _app("contract"), input)

    @strawberry.mutation(description="Staff, or the exhibitor itself.")
    async def sign_contract(self, info: Info, input: ApplicationInput) -> ExhibitorPayload:
        return await _change(info, _app("contract/sign", owned=True), input)

    @strawberry.mutation
    async def record_payment(self, info: Info, input: RecordPaymentInput) -> ExhibitorPayload:
        return await _change(info, _app("payments"), input)

    @strawberry.mutation
    async def assign_booth(self, info: Info, input: AssignBoothInput) -> ExhibitorPayload:
        return await _change(info, _app("booth"), input)

    @strawberry.mutation
    async def confirm_participation(self, info: Info, input: ApplicationInput) -> ExhibitorPayload:
        return await _change(info, _app("confirm"), input)

    @strawberry.mutation(description="Staff, or the exhibitor itself.")
    async def withdraw_application(self, info: Info, input: ReasonInput) -> ExhibitorPayload:
        return await _change(info, _app("withdraw", owned=True), input)

    @strawberry.mutation(
        description="ADMIN only. Forget a contact person of the application (GDPR art. 17): "
        "their key is destroyed, every copy of their personal data erased, and they are no "
        "longer a contact. Forgetting again changes nothing."
    )
    async def forget_exhibitor_contact(
        self, info: Info, input: ForgetExhibitorContactInput
    ) -> ExhibitorPayload:
        command = Command(
            "exhibitors", "/applications/{}/contacts/forget", "Exhibitor", roles=ADMIN
        )
        return await _change(info, command, input)

    @strawberry.mutation
    async def define_booth(self, info: Info, input: DefineBoothInput) -> BoothPayload:
        outcome = await run(info, DEFINE_BOOTH, input, "edition", "hall")
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
