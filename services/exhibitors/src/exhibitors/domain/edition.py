"""An edition of the expo as a record (stream edition:<CODE>): created once, its
applications opened and closed by staff, its floor plan copied from an earlier one
(the booths of a hall are its floor plan's: exhibitors.domain.floorplan).
What the rules of applications and floor plans read is its `terms` (values.Edition).

Opening applications that are open, or closing closed ones, changes nothing (a retry
or a second organiser's click must not fail); opening those of an edition that has
opened is refused: after the opening only withdrawals are possible."""

from dataclasses import dataclass, replace
from datetime import date, datetime

from pavilion_contracts.exhibitors import SupplyChainArea
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors import events as e
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound

from exhibitors.domain import values
from exhibitors.domain.floorplan import FloorPlan

PREFIX = "edition:"


def edition_id(code: str) -> str:
    return f"{PREFIX}{code}"


@dataclass
class Edition(Aggregate):
    opened_by = (e.EditionCreated,)
    upcasters = UPCASTERS
    events = e.EVENTS
    code: str
    created: values.Edition | None = None
    version: int = 0

    @property
    def stream_id(self) -> str:
        return edition_id(self.code)

    @property
    def terms(self) -> values.Edition:
        if self.created is None:
            raise NotFound(f"no edition {self.code!r}")
        return self.created

    def create(self, cmd: c.CreateEdition) -> list[Event]:
        if self.created is not None:
            raise Duplicate(f"edition {self.code} already exists", self.stream_id)
        if cmd.ends_on < cmd.starts_on:
            raise InvalidValue("endsOn", "the expo cannot end before it starts")
        closes = cmd.applications_close_at or cmd.opens_at
        if closes > cmd.opens_at:
            raise InvalidValue("applicationsCloseAt", "applications close by the opening")
        if cmd.applications_open_at is not None and cmd.applications_open_at >= closes:
            raise InvalidValue("applicationsOpenAt", "applications must open before they close")
        return self._record(
            e.EditionCreated(
                edition=self.code,
                name=cmd.name,
                city=cmd.city,
                country=cmd.country,
                starts_on=cmd.starts_on.isoformat(),
                ends_on=cmd.ends_on.isoformat(),
                timezone=cmd.timezone,
                currency=cmd.currency,
                supply_chain_areas=[a.value for a in dict.fromkeys(cmd.supply_chain_areas)],
                deposit_threshold_pct=cmd.deposit_threshold_pct,
                opens_at=cmd.opens_at.isoformat(),
                applications_open_at=_iso(cmd.applications_open_at),
                applications_close_at=closes.isoformat(),
            )
        )

    def open_applications(self, now: datetime) -> list[Event]:
        """Take applications from now: until the window's close, or until the expo
        opens when the window had closed."""
        terms = self.terms
        if terms.has_opened(now):
            raise InvalidTransition(
                f"{self.code} opened on {terms.opens_at.isoformat()}: its applications "
                "cannot be opened again"
            )
        if terms.accepts_applications(now):
            return []
        closes = terms.closes_at if now < terms.closes_at else terms.opens_at
        return self._record(
            e.EditionApplicationsOpened(
                edition=self.code,
                applications_open_at=now.isoformat(),
                applications_close_at=closes.isoformat(),
            )
        )

    def close_applications(self, now: datetime) -> list[Event]:
        """Take no more applications from now (a window yet to open is cancelled)."""
        terms = self.terms
        if now >= terms.closes_at:
            return []
        opens = terms.applications_open_at
        return self._record(
            e.EditionApplicationsClosed(
                edition=self.code,
                applications_open_at=_iso(min(opens, now) if opens else None),
                applications_close_at=now.isoformat(),
            )
        )

    def copy_floor_plan(self, source: list[FloorPlan], into: list[FloorPlan]) -> list[Event]:
        """Define on `into` (this edition's plans of the same halls, in order) every
        booth of `source` it lacks; refused, with nothing changed, when a booth is of an
        area this edition lacks or its code is defined differently here."""
        terms = self.terms
        wanted = {SupplyChainArea(b.area) for plan in source for b in plan.booths.values()}
        if lacking := sorted(a.value for a in wanted - set(terms.supply_chain_areas)):
            raise InvalidValue(
                "fromEdition", f"booths of areas {self.code} lacks: {', '.join(lacking)}"
            )
        halls, booths = [], 0
        for plan, target in zip(source, into, strict=True):
            added = sum(len(target.copy(b, terms)) for b in plan.booths.values())
            halls += [target.hall] if added else []
            booths += added
        if not booths:
            return []
        from_edition = source[0].edition
        return self._record(
            e.EditionFloorPlanCopied(
                edition=self.code, from_edition=from_edition, halls=halls, booths=booths
            )
        )

    def when(self, event: Event) -> None:
        match event:
            case e.EditionCreated() as d:
                self.created = values.Edition(
                    code=d.edition,
                    name=d.name,
                    city=d.city,
                    country=d.country,
                    starts_on=date.fromisoformat(d.starts_on),
                    ends_on=date.fromisoformat(d.ends_on),
                    timezone=d.timezone,
                    supply_chain_areas=tuple(SupplyChainArea(a) for a in d.supply_chain_areas),
                    currency=d.currency,
                    deposit_threshold_pct=d.deposit_threshold_pct,
                    opens_at=datetime.fromisoformat(d.opens_at),
                    applications_open_at=_moment(d.applications_open_at),
                    applications_close_at=datetime.fromisoformat(d.applications_close_at),
                )
            case e.EditionApplicationsOpened() | e.EditionApplicationsClosed() as d:
                self.created = replace(
                    self.terms,
                    applications_open_at=_moment(d.applications_open_at),
                    applications_close_at=datetime.fromisoformat(d.applications_close_at),
                )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
