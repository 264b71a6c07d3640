"""An edition's floor plan: its halls, each hall's booths and who holds them, and the
waitlist in the order a freed booth is offered to it (the contract's rule).

Booths have no position in the domain: a booth is its hall, code, size and supply-chain
area. A picture lays a hall out from those (in code order), to scale by size.
"""

import json
from enum import Enum
from typing import Any
from uuid import UUID

import asyncpg
import strawberry
from pavilion_contracts.exhibitors.rules import waitlist_priority

from gateway.asof import AS_OF, answering
from gateway.context import Context
from gateway.enums import SupplyChainArea
from gateway.exhibitors.rebooking import SELECT as OFFER
from gateway.exhibitors.rebooking import RebookingOffer
from gateway.exhibitors.types import SELECT, Exhibitor
from gateway.outreach.columns import select
from gateway.policy import may_see
from gateway.relay import (
    BadInput,
    Connection,
    Keyset,
    Query,
    decode_cursor,
    encode_cursor,
    fetch_page,
    page_of,
    page_size,
)
from gateway.timeline import COLUMNS as TIMELINE

Info = strawberry.Info[Context, None]
BOOTH_COLUMNS = "edition, hall, code, size_sqm, supply_chain_area, allocated_to, offered_to"
BOOTH_ORDER = Keyset((("code", "text"),), name="CODE")
WAITLIST = "WAITLIST"  # the name of the waitlist's order, in its cursors


@strawberry.enum(
    description="Whether a booth is free, held (for a waitlisted application, or for a "
    "re-booking offer), or allocated."
)
class BoothState(Enum):
    FREE = "FREE"
    OFFERED = "OFFERED"
    TAKEN = "TAKEN"


async def _holder(info: Info, application: UUID | None) -> Exhibitor | None:
    """The application, if the viewer may see it (an EXHIBITOR: its own only)."""
    if application is None or not may_see(info.context.viewer, "Exhibitor", str(application)):
        return None
    row = await info.context.loaders.one(SELECT).load(application)
    return Exhibitor.from_row(row) if row else None


@strawberry.type(description="A booth on its hall's floor plan.")
class FloorPlanBooth:
    code: str
    hall: str
    size_sqm: int
    supply_chain_area: SupplyChainArea
    state: BoothState
    holder_id: strawberry.Private[UUID | None]

    @strawberry.field(
        description="The application it is allocated to (TAKEN) or offered to (OFFERED); "
        "null when FREE, when held for a re-booking offer (`rebookingOffer`), and when the "
        "viewer may not see that application (an EXHIBITOR sees only its own)."
    )
    async def holder(self, info: Info) -> Exhibitor | None:
        return await _holder(info, self.holder_id)

    @strawberry.field(
        description="The re-booking offer it is held for (OFFERED, its previous exhibitor "
        "invited back), if it is; null otherwise, and for a viewer other than staff."
    )
    async def rebooking_offer(self, info: Info) -> RebookingOffer | None:
        offered = self.holder_id if self.state is BoothState.OFFERED else None
        if offered is None or not may_see(info.context.viewer, "RebookingOffer", str(offered)):
            return None
        row = await info.context.loaders.one(OFFER).load(offered)
        return RebookingOffer.from_row(row) if row else None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> "FloorPlanBooth":
        allocated, offered = row["allocated_to"], row["offered_to"]
        state = (
            BoothState.TAKEN if allocated else BoothState.OFFERED if offered else BoothState.FREE
        )
        return cls(
            code=row["code"],
            hall=row["hall"],
            size_sqm=row["size_sqm"],
            supply_chain_area=SupplyChainArea(row["supply_chain_area"]),
            state=state,
            holder_id=allocated or offered,
        )


def booths_of(edition: str, hall: str) -> Query:
    return Query(BOOTH_COLUMNS, "booths").narrowed("edition = {0} AND hall = {1}", edition, hall)


@strawberry.type
class Hall:
    code: str
    edition: strawberry.Private[str]

    @strawberry.field(description="The hall's booths in code order.")
    async def booths(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[FloorPlanBooth]:
        query = booths_of(self.edition, self.code)
        return await fetch_page(
            info.context.pool, query, BOOTH_ORDER, FloorPlanBooth.from_row, first, after
        )


@strawberry.type(description="An application on the waitlist.")
class WaitlistEntry:
    position: int = strawberry.field(description="1 is offered the next booth freed.")
    previous_editions: int
    booth_size_sqm: int | None
    application_id: strawberry.Private[UUID]

    @strawberry.field
    async def exhibitor(self, info: Info) -> Exhibitor | None:
        return await _holder(info, self.application_id)


def _in_priority_order(rows: list[asyncpg.Record]) -> list[WaitlistEntry]:
    ranked = sorted(
        rows,
        key=lambda r: waitlist_priority(r["previous_editions"], r["booth_size_sqm"], r["arrival"]),
    )
    return [
        WaitlistEntry(
            position=n,
            previous_editions=r["previous_editions"],
            booth_size_sqm=r["booth_size_sqm"],
            application_id=r["application_id"],
        )
        for n, r in enumerate(ranked, 1)
    ]


def _after(cursor: str | None) -> int:
    """The position a waitlist cursor stands for (0 for none)."""
    if cursor is None:
        return 0
    key: list[Any] = decode_cursor(cursor)
    if len(key) != 2 or key[0] != WAITLIST or type(key[1]) is not int:
        raise BadInput("the cursor is not valid (for this order)", "after")
    return int(key[1])


@strawberry.type(description="An edition's halls and booths, and its waitlist.")
class FloorPlan:
    edition: str
    halls: list[Hall] = strawberry.field(description="In code order.")

    @strawberry.field(
        description="Waitlisted applications not yet offered a booth, in the order a "
        "freed booth is offered to them: more earlier editions exhibited first, then the "
        "larger booth wanted, then who came first. An EXHIBITOR sees its own entry only."
    )
    async def waitlist(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[WaitlistEntry]:
        size, start = page_size(first), _after(after)
        rows = await info.context.pool.fetch(
            """SELECT application_id, previous_editions, booth_size_sqm, arrival
               FROM waitlist WHERE edition = $1""",
            self.edition,
        )
        viewer = info.context.viewer
        entries = [
            e
            for e in _in_priority_order(rows)
            if may_see(viewer, "Exhibitor", str(e.application_id))
        ]
        return page_of(
            [e for e in entries if e.position > start],
            size,
            len(entries),
            lambda e: encode_cursor([WAITLIST, e.position]),
            lambda e: e,
        )


@strawberry.type
class FloorPlanQueries:
    @strawberry.field(
        description="An edition's floor plan: every hall with its booths (free, offered, "
        "taken, and by whom), and the waitlist. Booths have no position: lay a hall out "
        "from its booths' code order, sizes and areas."
    )
    async def floor_plan(self, info: Info, edition: str, as_of: AS_OF = None) -> FloorPlan:
        ctx = await answering(info, as_of)
        rows = await ctx.pool.fetch(
            "SELECT DISTINCT hall FROM booths WHERE edition = $1 ORDER BY hall", edition
        )
        halls = [Hall(code=r["hall"], edition=edition) for r in rows]
        return FloorPlan(edition=edition, halls=halls)


@strawberry.type(description="A change of an edition's floor plan: a booth, or the waitlist.")
class FloorPlanChange:
    hall: str | None = strawberry.field(
        description="The hall whose booth changed; null for a change of the waitlist."
    )
    booth_code: str | None
    booth: FloorPlanBooth | None = strawberry.field(
        description="The booth as it is now; null once retired, and for the waitlist."
    )
    waitlist_changed: bool


async def floor_plan_change(
    ctx: Context, edition: str, news: dict[str, Any]
) -> FloorPlanChange | None:
    """What an event the projector announced changed of `edition`'s floor plan, if
    anything the viewer may know of (an EXHIBITOR: the waitlist's changes of its own
    applications). The streams are exhibitors' (floorplan:<edition>:<hall>,
    waitlist:<edition>)."""
    subject, hall = news["subject"], None
    if news["source"] != "exhibitors":
        return None
    if subject.startswith(f"floorplan:{edition}:"):
        hall = subject.removeprefix(f"floorplan:{edition}:")
    elif subject != f"waitlist:{edition}":
        return None
    entry = await ctx.loaders.one(select("timeline", TIMELINE), "event_id").load(
        UUID(news["event"])
    )
    if entry is None:
        return None
    data = json.loads(entry["data"])
    if hall is None:
        if not may_see(ctx.viewer, "Exhibitor", data["applicationId"]):
            return None
        return FloorPlanChange(hall=None, booth_code=None, booth=None, waitlist_changed=True)
    row = await ctx.pool.fetchrow(
        f"SELECT {BOOTH_COLUMNS} FROM booths WHERE edition = $1 AND hall = $2 AND code = $3",
        edition,
        hall,
        data["boothCode"],
    )
    booth = FloorPlanBooth.from_row(row) if row else None
    return FloorPlanChange(
        hall=hall, booth_code=data["boothCode"], booth=booth, waitlist_changed=False
    )
