"""Outreach events at a trip's stops, with their invitees.

Event: SCHEDULED → HELD (once it has started) | CANCELLED. Invitee: INVITED →
ACCEPTED | DECLINED; ACCEPTED → ATTENDED | NO_SHOW. No RSVP or attendance for a
cancelled event, no attendance before the event starts, no acceptance past capacity.
"""

from dataclasses import dataclass, field
from datetime import datetime

from pavilion_contracts.outreach import events as e
from pavilion_contracts.outreach.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound

from outreach.domain.parties import Contact
from outreach.domain.travel import Stop, Trip


def outreach_event_stream(event_id: str) -> str:
    return event_id


@dataclass
class OutreachEvent(Aggregate):
    opened_by = (e.OutreachEventScheduled,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    status: str = ""
    name: str = ""
    trip_id: str = ""
    stop_index: int = 0
    starts_at: datetime | None = None
    capacity: int | None = None
    invitees: dict[str, str] = field(default_factory=dict)  # contact id → status

    @property
    def stream_id(self) -> str:
        return outreach_event_stream(self.id)

    @property
    def accepted(self) -> int:
        return sum(1 for s in self.invitees.values() if s in ("ACCEPTED", "ATTENDED", "NO_SHOW"))

    def schedule(
        self,
        trip: Trip,
        stop_index: int,
        name: str,
        kind: str,
        venue: str | None,
        starts_at: datetime,
        ends_at: datetime,
        capacity: int | None,
    ) -> list[Event]:
        if self.version:
            raise Duplicate(f"outreach event {self.id} already exists", self.id)
        stop = _check_times(trip, stop_index, starts_at, ends_at)
        return self._record(
            e.OutreachEventScheduled(
                event_id=self.id,
                trip_id=trip.id,
                stop_index=stop_index,
                name=name,
                kind=kind,
                city=stop.city,
                country=stop.country,
                venue=venue,
                starts_at=starts_at.isoformat(),
                ends_at=ends_at.isoformat(),
                capacity=capacity,
                time_zone=stop.time_zone,
            )
        )

    def reschedule(self, trip: Trip, starts_at: datetime, ends_at: datetime) -> list[Event]:
        """Move the event within its stop's dates (invitations and answers stand)."""
        self._require("reschedule", "SCHEDULED")
        _check_times(trip, self.stop_index, starts_at, ends_at)
        return self._record(
            e.OutreachEventRescheduled(
                event_id=self.id, starts_at=starts_at.isoformat(), ends_at=ends_at.isoformat()
            )
        )

    def hold(self, now: datetime) -> list[Event]:
        self._require("record as held", "SCHEDULED")
        self._check_started(now, "held")
        return self._record(e.OutreachEventHeld(event_id=self.id))

    def cancel(self, reason: str) -> list[Event]:
        self._require("cancel", "SCHEDULED")
        return self._record(e.OutreachEventCancelled(event_id=self.id, reason=reason))

    def invite(self, contact: Contact, now: datetime) -> list[Event]:
        """The invitation carries the contact and its consent as they are now: the
        decision to mail it is made on what outreach knew when it invited."""
        self._require("invite to", "SCHEDULED")
        contact.check_active()
        if contact.id in self.invitees:
            raise Duplicate(f"{contact.id} is already invited to {self.id}", self.id)
        return self._record(
            e.ContactInvited(
                event_id=self.id, contact_id=contact.id, invitee=contact.as_invitee(now)
            )
        )

    def rsvp(self, contact_id: str, accept: bool) -> list[Event]:
        self._require("answer an invitation to", "SCHEDULED")
        self._invitee(contact_id, "INVITED", "answer for")
        if accept and self.capacity is not None and self.accepted >= self.capacity:
            raise InvalidTransition(f"{self.name} is full ({self.capacity} accepted)")
        event = e.RsvpAccepted if accept else e.RsvpDeclined
        return self._record(event(event_id=self.id, contact_id=contact_id))

    def record_attendance(self, contact_id: str, attended: bool, now: datetime) -> list[Event]:
        self._require("record attendance at", "SCHEDULED", "HELD")
        self._check_started(now, "attended")
        self._invitee(contact_id, "ACCEPTED", "record the attendance of")
        event = e.AttendanceRecorded if attended else e.NoShowRecorded
        return self._record(event(event_id=self.id, contact_id=contact_id))

    def add_note(self, note_id: str, text: str) -> list[Event]:
        self._require("add a note to", "SCHEDULED", "HELD", "CANCELLED")
        return self._record(
            e.NoteAdded(note_id=note_id, subject_id=self.id, text=text, contact_id=None)
        )

    def _check_started(self, now: datetime, what: str) -> None:
        assert self.starts_at is not None
        if now < self.starts_at:
            raise InvalidTransition(
                f"{self.name} starts {self.starts_at.isoformat()}: it cannot be {what} yet"
            )

    def _invitee(self, contact_id: str, status: str, action: str) -> None:
        current = self.invitees.get(contact_id)
        if current is None:
            raise NotFound(f"{contact_id} is not invited to {self.id}")
        if current != status:
            raise InvalidTransition(f"cannot {action} an invitee who is {current}")

    def check_exists(self) -> None:
        if not self.version:
            raise NotFound(f"no outreach event {self.id}")

    def _require(self, action: str, *states: str) -> None:
        self.check_exists()
        if self.status not in states:
            raise InvalidTransition(f"cannot {action} an event that is {self.status}")

    def when(self, event: Event) -> None:
        match event:
            case e.OutreachEventScheduled():
                self.status, self.name, self.capacity = "SCHEDULED", event.name, event.capacity
                self.trip_id, self.stop_index = event.trip_id, event.stop_index
                self.starts_at = datetime.fromisoformat(event.starts_at)
            case e.OutreachEventRescheduled(starts_at=starts_at):
                self.starts_at = datetime.fromisoformat(starts_at)
            case e.OutreachEventHeld():
                self.status = "HELD"
            case e.OutreachEventCancelled():
                self.status = "CANCELLED"
            case (
                e.ContactInvited(contact_id=contact)
                | e.RsvpAccepted(contact_id=contact)
                | e.RsvpDeclined(contact_id=contact)
                | e.AttendanceRecorded(contact_id=contact)
                | e.NoShowRecorded(contact_id=contact)
            ):
                self.invitees[contact] = _INVITEE[type(event)]


_INVITEE: dict[type[Event], str] = {
    e.ContactInvited: "INVITED",
    e.RsvpAccepted: "ACCEPTED",
    e.RsvpDeclined: "DECLINED",
    e.AttendanceRecorded: "ATTENDED",
    e.NoShowRecorded: "NO_SHOW",
}


def _check_times(trip: Trip, stop_index: int, starts_at: datetime, ends_at: datetime) -> Stop:
    """An event falls within its stop's dates, on the stop's own calendar (and the trip
    is not over or cancelled)."""
    trip.check_open()
    stop = trip.stop(stop_index)
    local = stop.local_date(starts_at)
    if not stop.starts_on <= local <= stop.ends_on:
        raise InvalidValue(
            "startsAt",
            f"{stop.city} is visited {stop.starts_on} to {stop.ends_on}, not on {local}",
        )
    if ends_at <= starts_at:
        raise InvalidValue("endsAt", "an event must end after it starts")
    return stop
