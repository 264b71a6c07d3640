"""POST endpoints, one per command. Each takes `expectedVersion` in its body and an
optional `Idempotency-Key` header, and answers with the stream's new version."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from pavilion_core.bodies import ACCEPTED, Accepted, Versioned
from pavilion_core.http import run_command

from exhibitors import commands as c
from exhibitors.api.models import (
    CODE_PATTERN,
    AddContactIn,
    AssignBoothIn,
    DefineBoothIn,
    IssueContractIn,
    ProductCategoriesIn,
    ReasonIn,
    RecordPaymentIn,
    RemoveContactIn,
    SubmitApplicationIn,
    SupplyChainAreasIn,
    UpdateProfileIn,
)
from exhibitors.bootstrap import Services
from exhibitors.handlers import Handlers

router = APIRouter(tags=["commands"])
AppId = Annotated[UUID, Path(description="the application id")]


def _handlers(request: Request) -> Handlers:
    services: Services = request.app.state.services
    return services.handlers


@router.post("/applications", status_code=201, **ACCEPTED)
async def submit_application(body: SubmitApplicationIn, request: Request) -> Accepted:
    command = c.SubmitApplication(
        edition=body.edition,
        company_name=body.company_name,
        country=body.country,
        supply_chain_areas=tuple(dict.fromkeys(body.supply_chain_areas)),
        product_categories=tuple(body.product_categories),
        contacts=tuple(contact.contact() for contact in body.contacts),
        organization_id=body.organization_id,
        source_interest_id=body.source_interest_id,
        previous_editions=body.previous_editions,
        booth_size_sqm=body.booth_size_sqm,
        address=body.address.address() if body.address else None,
    )
    return await run_command(request, body, _handlers(request).submit_application, command)


@router.post("/applications/{application_id}/review", **ACCEPTED)
async def start_review(application_id: AppId, body: Versioned, request: Request) -> Accepted:
    return await run_command(
        request, body, _handlers(request).start_review, c.StartReview(str(application_id))
    )


@router.post("/applications/{application_id}/approve", **ACCEPTED)
async def approve(application_id: AppId, body: Versioned, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).approve_application,
        c.ApproveApplication(str(application_id)),
    )


@router.post("/applications/{application_id}/reject", **ACCEPTED)
async def reject(application_id: AppId, body: ReasonIn, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).reject_application,
        c.RejectApplication(str(application_id), body.reason),
    )


@router.post("/applications/{application_id}/waitlist", **ACCEPTED)
async def waitlist(application_id: AppId, body: Versioned, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).waitlist_application,
        c.WaitlistApplication(str(application_id)),
    )


@router.post("/applications/{application_id}/contract", **ACCEPTED)
async def issue_contract(
    application_id: AppId, body: IssueContractIn, request: Request
) -> Accepted:
    command = c.IssueContract(str(application_id), body.amount, body.currency, body.due_date)
    return await run_command(request, body, _handlers(request).issue_contract, command)


@router.post("/applications/{application_id}/contract/sign", **ACCEPTED)
async def sign_contract(application_id: AppId, body: Versioned, request: Request) -> Accepted:
    return await run_command(
        request, body, _handlers(request).sign_contract, c.SignContract(str(application_id))
    )


@router.post("/applications/{application_id}/payments", **ACCEPTED)
async def record_payment(
    application_id: AppId, body: RecordPaymentIn, request: Request
) -> Accepted:
    command = c.RecordPayment(str(application_id), body.amount, body.currency, body.reference)
    return await run_command(request, body, _handlers(request).record_payment, command)


@router.post("/applications/{application_id}/booth", **ACCEPTED)
async def assign_booth(application_id: AppId, body: AssignBoothIn, request: Request) -> Accepted:
    command = c.AssignBooth(str(application_id), body.hall, body.booth_code)
    return await run_command(request, body, _handlers(request).assign_booth, command)


@router.post("/applications/{application_id}/confirm", **ACCEPTED)
async def confirm(application_id: AppId, body: Versioned, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).confirm_participation,
        c.ConfirmParticipation(str(application_id)),
    )


@router.post("/applications/{application_id}/withdraw", **ACCEPTED)
async def withdraw(application_id: AppId, body: ReasonIn, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).withdraw_application,
        c.WithdrawApplication(str(application_id), body.reason),
    )


@router.post("/applications/{application_id}/cancel", **ACCEPTED)
async def cancel(application_id: AppId, body: ReasonIn, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).cancel_for_non_payment,
        c.CancelForNonPayment(str(application_id), body.reason),
    )


@router.post("/applications/{application_id}/profile", **ACCEPTED)
async def update_profile(
    application_id: AppId, body: UpdateProfileIn, request: Request
) -> Accepted:
    command = c.UpdateProfile(
        str(application_id), body.company_name, body.country, body.website, body.description
    )
    return await run_command(request, body, _handlers(request).update_profile, command)


@router.post("/applications/{application_id}/contacts", **ACCEPTED)
async def add_contact(application_id: AppId, body: AddContactIn, request: Request) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).add_contact,
        c.AddContact(str(application_id), body.contact()),
    )


@router.post("/applications/{application_id}/contacts/remove", **ACCEPTED)
async def remove_contact(
    application_id: AppId, body: RemoveContactIn, request: Request
) -> Accepted:
    return await run_command(
        request,
        body,
        _handlers(request).remove_contact,
        c.RemoveContact(str(application_id), body.email.lower()),
    )


@router.post("/applications/{application_id}/contacts/forget", **ACCEPTED)
async def forget_contact(
    application_id: AppId, body: RemoveContactIn, request: Request
) -> Accepted:
    services: Services = request.app.state.services
    cmd = c.ForgetContact(str(application_id), body.email.lower())
    return await run_command(request, body, services.forgetting.forget_contact, cmd)


@router.post("/applications/{application_id}/supply-chain-areas", **ACCEPTED)
async def set_supply_chain_areas(
    application_id: AppId, body: SupplyChainAreasIn, request: Request
) -> Accepted:
    command = c.SetSupplyChainAreas(
        str(application_id), tuple(dict.fromkeys(body.supply_chain_areas))
    )
    return await run_command(request, body, _handlers(request).set_supply_chain_areas, command)


@router.post("/applications/{application_id}/product-categories", **ACCEPTED)
async def set_product_categories(
    application_id: AppId, body: ProductCategoriesIn, request: Request
) -> Accepted:
    command = c.SetProductCategories(str(application_id), tuple(body.product_categories))
    return await run_command(request, body, _handlers(request).set_product_categories, command)


@router.post("/editions/{edition}/halls/{hall}/booths", status_code=201, **ACCEPTED)
async def define_booth(
    edition: Annotated[str, Path(max_length=32)],
    hall: Annotated[str, Path(pattern=CODE_PATTERN)],
    body: DefineBoothIn,
    request: Request,
) -> Accepted:
    command = c.DefineBooth(edition, hall, body.booth_code, body.size_sqm, body.supply_chain_area)
    return await run_command(request, body, _handlers(request).define_booth, command)
