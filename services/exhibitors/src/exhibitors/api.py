"""The exhibitors command API (internal HTTP; OpenAPI at /openapi.json)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

import pycountry
from fastapi import FastAPI, Request
from pavilion_core.http import command_context, install
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field
from pydantic.alias_generators import to_camel

from exhibitors import handlers
from exhibitors.bootstrap import Services, start
from exhibitors.commands import SubmitApplication
from exhibitors.config import Config
from exhibitors.domain import Contact, SupplyChainArea


def _country(code: str) -> str:
    if pycountry.countries.get(alpha_2=code.upper()) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code.upper()


Country = Annotated[str, Field(min_length=2, max_length=2), AfterValidator(_country)]
Text = Annotated[str, Field(min_length=1, max_length=200)]


class Body(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", str_strip_whitespace=True
    )


class ContactIn(Body):
    name: Text
    email: EmailStr
    phone: Annotated[str, Field(max_length=40)] | None = None


class SubmitApplicationIn(Body):
    edition: Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]
    company_name: Text
    country: Country
    supply_chain_areas: Annotated[list[SupplyChainArea], Field(min_length=1)]
    product_categories: Annotated[list[Text], Field(max_length=50)] = []
    contacts: Annotated[list[ContactIn], Field(max_length=20)] = []
    organization_id: UUID | None = None
    source_interest_id: UUID | None = None
    expected_version: Annotated[int, Field(ge=0)] | None = None


class Accepted(Body):
    id: UUID
    version: int
    event_ids: list[UUID]


def create_app(config: Config | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await start(config or Config.from_env())
        yield
        await app.state.services.close()

    app = FastAPI(title="Pavilion exhibitors commands", version="1", lifespan=lifespan)

    def services() -> Services:
        return app.state.services  # type: ignore[no-any-return]

    async def ready() -> bool:
        return await services().pool.fetchval("SELECT true") is True

    install(app, ready)

    @app.post(
        "/applications", status_code=201, response_model=Accepted, response_model_by_alias=True
    )
    async def submit_application(body: SubmitApplicationIn, request: Request) -> Accepted:
        command = SubmitApplication(
            edition=body.edition,
            company_name=body.company_name,
            country=body.country,
            supply_chain_areas=tuple(dict.fromkeys(body.supply_chain_areas)),
            product_categories=tuple(body.product_categories),
            contacts=tuple(Contact(c.name, c.email.lower(), c.phone) for c in body.contacts),
            organization_id=body.organization_id,
            source_interest_id=body.source_interest_id,
        )
        ctx = command_context(request, body.model_dump(mode="json"), body.expected_version)
        result = await handlers.submit_application(services().store, command, ctx)
        return Accepted(
            id=UUID(result.stream_id),
            version=result.version,
            event_ids=[UUID(e) for e in result.event_ids],
        )

    return app
