"""Delegations and their trips. A trip: PLANNED → IN_PROGRESS → COMPLETED, or
CANCELLED before it completes; stops may be added or rescheduled until then."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pavilion_contracts.outreach import TripStatus
from pavilion_contracts.outreach import events as e
from pavilion_contracts.outreach.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound


def delegation_stream(delegation_id: str) -> str:
    return delegation_id


def trip_stream(trip_id: str) -> str:
    return trip_id


@dataclass
class Delegation(Aggregate):
    opened_by = (e.DelegationFormed,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    name: str = ""
    leader_id: str = ""
    members: list[str] = field(default_factory=list)

    @property
    def stream_id(self) -> str:
        return delegation_stream(self.id)

    def form(self, name: str, organizer: str, leader_id: str, purpose: str) -> list[Event]:
        if self.version:
            raise Duplicate(f"delegation {self.id} already exists", self.id)
        return self._record(
            e.DelegationFormed(
                delegation_id=self.id,
                name=name,
                organizer=organizer,
                leader_id=leader_id,
                purpose=purpose,
            )
        )

    def add_member(self, contact_id: str) -> list[Event]:
        self._check()
        if contact_id in self.members or contact_id == self.leader_id:
            raise Duplicate(f"{contact_id} is already in delegation {self.id}", self.id)
        return self._record(e.DelegationMemberAdded(delegation_id=self.id, contact_id=contact_id))

    def remove_member(self, contact_id: str) -> list[Event]:
        self._check()
        if contact_id not in self.members:
            raise NotFound(f"{contact_id} is not a member of delegation {self.id}")
        return self._record(e.DelegationMemberRemoved(delegation_id=self.id, contact_id=contact_id))

    def _check(self) -> None:
        if not self.version:
            raise NotFound(f"no delegation {self.id}")

    def when(self, event: Event) -> None:
        match event:
            case e.DelegationFormed(name=name, leader_id=leader):
                self.name, self.leader_id = name, leader
            case e.DelegationMemberAdded(contact_id=contact):
                self.members.append(contact)
            case e.DelegationMemberRemoved(contact_id=contact):
                self.members.remove(contact)


@dataclass(frozen=True)
class Stop:
    """A city the trip visits, on dates of its own calendar: `time_zone` (IANA) says
    which instants they are. Stops recorded before they had one are in UTC."""

    city: str
    country: str
    starts_on: date
    ends_on: date
    time_zone: str = "UTC"

    def as_data(self) -> dict[str, str]:
        return {
            "city": self.city,
            "country": self.country,
            "startsOn": self.starts_on.isoformat(),
            "endsOn": self.ends_on.isoformat(),
            "timeZone": self.time_zone,
        }

    def local_date(self, moment: datetime) -> date:
        """The stop's calendar date at `moment`."""
        return moment.astimezone(ZoneInfo(self.time_zone)).date()


def _check_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise InvalidValue(
            "endsOn", f"a stop cannot end ({ends_on}) before it starts ({starts_on})"
        )


@dataclass
class Trip(Aggregate):
    opened_by = (e.TripPlanned,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    status: TripStatus | None = None
    delegation_id: str = ""
    stops: list[Stop] = field(default_factory=list)

    @property
    def stream_id(self) -> str:
        return trip_stream(self.id)

    def plan(self, delegation_id: str, name: str, stops: list[Stop]) -> list[Event]:
        if self.version:
            raise Duplicate(f"trip {self.id} already exists", self.id)
        for stop in stops:
            _check_dates(stop.starts_on, stop.ends_on)
        return self._record(
            e.TripPlanned(
                trip_id=self.id,
                delegation_id=delegation_id,
                name=name,
                stops=[s.as_data() for s in stops],
            )
        )

    def add_stop(self, stop: Stop) -> list[Event]:
        self._require("add a stop to", TripStatus.PLANNED, TripStatus.IN_PROGRESS)
        _check_dates(stop.starts_on, stop.ends_on)
        return self._record(
            e.TripStopAdded(
                trip_id=self.id,
                index=len(self.stops),
                city=stop.city,
                country=stop.country,
                starts_on=stop.starts_on.isoformat(),
                ends_on=stop.ends_on.isoformat(),
                time_zone=stop.time_zone,
            )
        )

    def reschedule_stop(self, index: int, starts_on: date, ends_on: date) -> list[Event]:
        self._require("reschedule a stop of", TripStatus.PLANNED, TripStatus.IN_PROGRESS)
        self.stop(index)
        _check_dates(starts_on, ends_on)
        return self._record(
            e.TripStopRescheduled(
                trip_id=self.id,
                index=index,
                starts_on=starts_on.isoformat(),
                ends_on=ends_on.isoformat(),
            )
        )

    def start(self) -> list[Event]:
        self._require("start", TripStatus.PLANNED)
        return self._record(e.TripStarted(trip_id=self.id))

    def complete(self) -> list[Event]:
        self._require("complete", TripStatus.IN_PROGRESS)
        return self._record(e.TripCompleted(trip_id=self.id))

    def cancel(self, reason: str) -> list[Event]:
        self._require("cancel", TripStatus.PLANNED, TripStatus.IN_PROGRESS)
        return self._record(e.TripCancelled(trip_id=self.id, reason=reason))

    def stop(self, index: int) -> Stop:
        if not 0 <= index < len(self.stops):
            raise InvalidValue("stopIndex", f"trip {self.id} has no stop {index}")
        return self.stops[index]

    def check_open(self) -> None:
        self._require("schedule an event on", TripStatus.PLANNED, TripStatus.IN_PROGRESS)

    def _require(self, action: str, *states: TripStatus) -> None:
        if not self.version:
            raise NotFound(f"no trip {self.id}")
        if self.status not in states:
            raise InvalidTransition(f"cannot {action} a trip that is {self.status}")

    def when(self, event: Event) -> None:
        if status := _STATUS.get(type(event)):
            self.status = status
        match event:
            case e.TripPlanned(delegation_id=delegation, stops=stops):
                self.status, self.delegation_id = TripStatus.PLANNED, delegation
                self.stops = [_stop(s) for s in stops]
            case e.TripStopAdded():
                self.stops.append(_stop(event.as_data()))
            case e.TripStopRescheduled(index=index):
                old = self.stops[index]
                self.stops[index] = Stop(
                    old.city,
                    old.country,
                    date.fromisoformat(event.starts_on),
                    date.fromisoformat(event.ends_on),
                    old.time_zone,
                )


_STATUS: dict[type[Event], TripStatus] = {
    e.TripStarted: TripStatus.IN_PROGRESS,
    e.TripCompleted: TripStatus.COMPLETED,
    e.TripCancelled: TripStatus.CANCELLED,
}


def _stop(d: dict[str, Any]) -> Stop:
    return Stop(
        d["city"],
        d["country"],
        date.fromisoformat(d["startsOn"]),
        date.fromisoformat(d["endsOn"]),
        d.get("timeZone") or "UTC",
    )
