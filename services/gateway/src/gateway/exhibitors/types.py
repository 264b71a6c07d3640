"""GraphQL types of the exhibitors feature."""

import json
import logging
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, cast
from uuid import UUID

import asyncpg
import strawberry
from pavilion_contracts.exhibitors import rules
from pydantic.alias_generators import to_snake

from gateway.editions import Edition
from gateway.editions import edition as edition_by_code
from gateway.enums import ApplicationStatus, SupplyChainArea
from gateway.policy import PERSONAL, Ref, may_change, may_see
from gateway.relay import Node, global_id
from gateway.responses import not_from_read_model
from gateway.timeline import Timelined

if TYPE_CHECKING:
    from gateway.outreach.types import Interest

log = logging.getLogger(__name__)


@strawberry.type
class ExhibitorContact:
    name: str | None = strawberry.field(directives=PERSONAL)
    email: str | None = strawberry.field(directives=PERSONAL)
    phone: str | None = strawberry.field(directives=PERSONAL)
    language: str | None = strawberry.field(
        default=None, description="Preferred language (BCP 47), when the application named it."
    )


@strawberry.type(
    description="A postal address; of applications made before addresses were "
    "asked for, only the country is known."
)
class PostalAddress:
    street_lines: list[str] | None = strawberry.field(directives=PERSONAL)
    city: str | None
    postal_code: str | None = strawberry.field(directives=PERSONAL)
    region: str | None
    country: str

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> "PostalAddress":
        return cls(
            street_lines=list(d["streetLines"]),
            city=d["city"],
            postal_code=d["postalCode"],
            region=d["region"],
            country=d["country"],
        )


@strawberry.type
class Booth:
    code: str
    hall: str
    size_sqm: int


@strawberry.type(description="An amount in a currency (minor units shown as a decimal).")
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, minor_units: int | None, currency: str | None) -> "Money | None":
        if minor_units is None or currency is None:
            return None
        return cls(amount=Decimal(minor_units).scaleb(-2), currency=currency)


# A change of an application, named after its mutation (START_REVIEW: startReview): the
# changes the contract's rules know (pavilion_contracts.exhibitors.rules.ALLOWED_IN).
_ACTIONS = {to_snake(c.route.mutation).upper(): c.route.mutation for c in rules.ALLOWED_IN}
ExhibitorAction = strawberry.enum(
    cast(type[Enum], Enum("ExhibitorAction", _ACTIONS)),
    description="A change of an application: the mutation of the same name does it "
    "(START_REVIEW: startReview).",
)

COLUMNS = (
    "id, edition, company_name, country, status, supply_chain_areas, product_categories, "
    "contacts, booth_code, booth_hall, booth_size_sqm, contract_amount, paid_amount, currency, "
    "source_interest_id, submitted_at, updated_at, version, address, contract_due_on"
)
SELECT = f"SELECT {COLUMNS} FROM exhibitors WHERE {{where}}"


@strawberry.type
class Exhibitor(Node, Timelined):
    edition: str
    company_name: str
    country: str
    address: PostalAddress = strawberry.field(description="The company's postal address.")
    status: ApplicationStatus
    supply_chain_areas: list[SupplyChainArea]
    product_categories: list[str]
    contacts: list[ExhibitorContact]
    booth: Booth | None
    contract_amount: Money | None
    paid_amount: Money | None
    submitted_at: datetime
    updated_at: datetime
    version: int
    source_interest_id: strawberry.Private[UUID | None]
    contract_minor: strawberry.Private[int | None]
    paid_minor: strawberry.Private[int]
    contract_due_on: strawberry.Private[date | None]

    @strawberry.field(
        graphql_type=list[ExhibitorAction],  # type: ignore[valid-type]
        description="What the viewer may do to the application now, in the order of its "
        "life: each change its state (and contract, payments, booth, the edition's "
        "opening) allows that the viewer's role may make. An EXHIBITOR: on its own "
        "application, signing, withdrawing and its profile; a VIEWER: none.",
    )
    async def allowed_actions(self, info: strawberry.Info) -> list[Any]:
        edition = await edition_by_code(info.context, self.edition)
        if edition is None:
            return []  # not projected yet: the exhibitors service would refuse all
        application = Ref("Exhibitor", UUID(self.local_id))
        not_from_read_model("the clock")  # an edition opens, a due date passes: no news
        now = info.context.services.clock.now()
        return [
            ExhibitorAction(change.route.mutation)
            for change in rules.allowed(self.standing(edition, now))
            if may_change(info.context.viewer, change.route.mutation, application)
        ]

    def standing(self, edition: Edition, now: datetime) -> rules.Standing:
        return rules.Standing(
            status=rules.S(self.status.value),
            opened=now >= edition.opens_at,
            deposit_pct=edition.deposit_threshold_pct,
            today=now.date(),
            contract_amount=self.contract_minor,
            contract_due=self.contract_due_on,
            paid=self.paid_minor,
            booth=self.booth.code if self.booth else None,
        )

    @strawberry.field(description="The outreach interest this application came from.")
    async def source_interest(
        self, info: strawberry.Info
    ) -> Annotated["Interest", strawberry.lazy("gateway.outreach.types")] | None:
        from gateway.outreach.types import Interest

        if self.source_interest_id is None:
            return None
        if not may_see(info.context.viewer, "Interest", str(self.source_interest_id)):
            return None  # an EXHIBITOR's application came from the organizer's lead
        return await Interest.load(info.context, self.source_interest_id)

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Exhibitor":
        contacts: list[dict[str, Any]] = json.loads(row["contacts"])
        return cls(
            id=global_id("Exhibitor", row["id"]),
            local_id=str(row["id"]),
            edition=row["edition"],
            company_name=row["company_name"],
            country=row["country"],
            address=PostalAddress.from_data(json.loads(row["address"])),
            status=ApplicationStatus(row["status"]),
            supply_chain_areas=[SupplyChainArea(a) for a in row["supply_chain_areas"]],
            product_categories=list(row["product_categories"]),
            contacts=[
                ExhibitorContact(
                    name=c["name"],
                    email=c["email"],
                    phone=c.get("phone"),
                    language=c.get("language"),
                )
                for c in contacts
            ],
            booth=(
                Booth(
                    code=row["booth_code"], hall=row["booth_hall"], size_sqm=row["booth_size_sqm"]
                )
                if row["booth_code"]
                else None
            ),
            contract_amount=Money.of(row["contract_amount"], row["currency"]),
            paid_amount=Money.of(row["paid_amount"], row["currency"]),
            submitted_at=row["submitted_at"],
            updated_at=row["updated_at"],
            version=row["version"],
            source_interest_id=row["source_interest_id"],
            contract_minor=row["contract_amount"],
            paid_minor=row["paid_amount"],
            contract_due_on=row["contract_due_on"],
        )
