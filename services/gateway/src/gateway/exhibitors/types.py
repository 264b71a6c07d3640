"""GraphQL types of the exhibitors feature."""

import json
from enum import Enum
from typing import Any

import asyncpg
import strawberry

from gateway.relay import Node, global_id


@strawberry.enum
class ApplicationStatus(Enum):
    SUBMITTED = "SUBMITTED"
    UNDER_REVIEW = "UNDER_REVIEW"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    WAITLISTED = "WAITLISTED"
    CONTRACTED = "CONTRACTED"
    CONFIRMED = "CONFIRMED"
    WITHDRAWN = "WITHDRAWN"
    CANCELLED = "CANCELLED"


@strawberry.enum
class SupplyChainArea(Enum):
    ADVANCED_MANUFACTURING = "ADVANCED_MANUFACTURING"
    CLEAN_ENERGY = "CLEAN_ENERGY"
    SMART_VEHICLES = "SMART_VEHICLES"
    DIGITAL_TECHNOLOGY = "DIGITAL_TECHNOLOGY"
    HEALTHY_LIVING = "HEALTHY_LIVING"
    GREEN_AGRICULTURE = "GREEN_AGRICULTURE"
    SUPPLY_CHAIN_SERVICES = "SUPPLY_CHAIN_SERVICES"


@strawberry.type
class ExhibitorContact:
    name: str
    email: str
    phone: str | None


@strawberry.type
class Booth:
    code: str
    hall: str
    size_sqm: int


@strawberry.type
class Exhibitor(Node):
    edition: str
    company_name: str
    country: str
    status: ApplicationStatus
    supply_chain_areas: list[SupplyChainArea]
    product_categories: list[str]
    contacts: list[ExhibitorContact]
    booth: Booth | None
    version: int

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "Exhibitor":
        contacts: list[dict[str, Any]] = json.loads(row["contacts"])
        return cls(
            id=global_id("Exhibitor", row["id"]),
            edition=row["edition"],
            company_name=row["company_name"],
            country=row["country"],
            status=ApplicationStatus(row["status"]),
            supply_chain_areas=[SupplyChainArea(a) for a in row["supply_chain_areas"]],
            product_categories=list(row["product_categories"]),
            contacts=[
                ExhibitorContact(name=c["name"], email=c["email"], phone=c.get("phone"))
                for c in contacts
            ],
            booth=(
                Booth(
                    code=row["booth_code"], hall=row["booth_hall"], size_sqm=row["booth_size_sqm"]
                )
                if row["booth_code"]
                else None
            ),
            version=row["version"],
        )
