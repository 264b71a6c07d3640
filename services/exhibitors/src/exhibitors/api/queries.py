"""GET endpoints: the editions, and the current state of an application or a hall as
the service decides on it (the public read model is the gateway's)."""

from datetime import datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Request
from pavilion_contracts.exhibitors.commands import CODE_PATTERN
from pavilion_core.bodies import ERROR_RESPONSES
from pavilion_core.errors import NotFound

from exhibitors.api.models import ApplicationOut, BoothOut, EditionOut, FloorPlanOut
from exhibitors.bootstrap import Services
from exhibitors.domain.application import ExhibitorApplication
from exhibitors.domain.edition import PREFIX, Edition, edition_id
from exhibitors.domain.floorplan import FloorPlan, floor_plan_id
from exhibitors.domain.values import Edition as Terms

router = APIRouter(tags=["queries"], responses=ERROR_RESPONSES)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _edition(services: Services, code: str) -> Terms:
    """The edition as recorded (NOT_FOUND when there is none)."""
    return Edition(code).replay(await services.store.read_stream(edition_id(code))).terms


def _edition_out(edition: Terms) -> EditionOut:
    return EditionOut(
        code=edition.code,
        name=edition.name,
        city=edition.city,
        country=edition.country,
        starts_on=edition.starts_on,
        ends_on=edition.ends_on,
        timezone=edition.timezone,
        supply_chain_areas=list(edition.supply_chain_areas),
        currency=edition.currency,
        deposit_threshold_pct=edition.deposit_threshold_pct,
        opens_at=edition.opens_at.isoformat(),
        applications_open_at=_iso(edition.applications_open_at),
        applications_close_at=edition.closes_at.isoformat(),
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@router.get("/editions", response_model_by_alias=True)
async def editions(request: Request) -> list[EditionOut]:
    services = _services(request)
    codes = [stream.removeprefix(PREFIX) for stream in await services.store.stream_ids(PREFIX)]
    return [_edition_out(await _edition(services, code)) for code in codes]


@router.get("/editions/{code}", response_model_by_alias=True)
async def edition(code: Annotated[str, Path(max_length=32)], request: Request) -> EditionOut:
    return _edition_out(await _edition(_services(request), code))


@router.get("/editions/{edition}/halls/{hall}", response_model_by_alias=True)
async def floor_plan(
    edition: Annotated[str, Path(max_length=32)],
    hall: Annotated[str, Path(pattern=CODE_PATTERN)],
    request: Request,
) -> FloorPlanOut:
    services = _services(request)
    await _edition(services, edition)
    history = await services.handlers.store.read_stream(floor_plan_id(edition, hall))
    plan = FloorPlan(edition, hall).replay(history)
    return FloorPlanOut(
        edition=edition,
        hall=hall,
        version=plan.version,
        booths=[
            BoothOut(
                code=b.code,
                size_sqm=b.size_sqm,
                supply_chain_area=b.area,
                allocated_to=b.allocated_to,
                offered_to=b.offered_to,
            )
            for b in plan.booths.values()
        ],
    )


@router.get("/applications/{application_id}", response_model_by_alias=True)
async def application(application_id: UUID, request: Request) -> ApplicationOut:
    history = await _services(request).handlers.store.read_stream(str(application_id))
    app = ExhibitorApplication(str(application_id)).replay(history)
    if app.status is None:
        raise NotFound(f"no application {application_id}")
    return ApplicationOut(
        id=app.id,
        version=app.version,
        status=app.status,
        edition=app.edition,
        company_name=app.company_name,
        country=app.country,
        supply_chain_areas=list(app.areas),
        product_categories=list(app.categories),
        contacts=[vars(contact) for contact in app.contacts.values()],
        contract_amount=app.contract.amount if app.contract else None,
        currency=app.contract.currency if app.contract else None,
        paid_amount=app.paid,
        booth={"hall": app.booth.hall, "code": app.booth.code} if app.booth else None,
        offered_booth=(
            {"hall": app.offered_booth.hall, "code": app.offered_booth.code}
            if app.offered_booth
            else None
        ),
    )
