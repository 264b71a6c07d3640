"""Interests (leads) and follow-up tasks.

Interest: CAPTURED → QUALIFIED → NURTURING; CONVERTED from QUALIFIED or NURTURING
(or from any open stage when an application names it); back to QUALIFIED (with the
reason) when exhibitors refuses the application a conversion asked for; LOST (with a
reason) from any open stage. Follow-up: SCHEDULED until completed or cancelled; once
past its due time it is announced overdue, once per due time.
"""

from dataclasses import dataclass
from datetime import datetime

from pavilion_contracts.outreach import FollowUpStatus, InterestStage
from pavilion_contracts.outreach import events as e
from pavilion_contracts.outreach.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, InvalidTransition, InvalidValue, NotFound

from outreach.domain.parties import Contact, Organization

OPEN_STAGES = (InterestStage.CAPTURED, InterestStage.QUALIFIED, InterestStage.NURTURING)


def interest_stream(interest_id: str) -> str:
    return interest_id


def follow_up_stream(follow_up_id: str) -> str:
    return follow_up_id


@dataclass
class Interest(Aggregate):
    opened_by = (e.InterestCaptured,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    stage: InterestStage | None = None
    kind: str = ""
    edition: str = ""
    contact_id: str = ""
    organization_id: str = ""
    source_event_id: str | None = None
    areas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    owner: str | None = None
    application_id: str | None = None
    converted_version: int = 0  # the stream's version at the last InterestConverted

    @property
    def stream_id(self) -> str:
        return interest_stream(self.id)

    def capture(
        self,
        contact: Contact,
        organization: Organization,
        source_event_id: str | None,
        kind: str,
        edition: str,
        areas: list[str],
        categories: list[str],
    ) -> list[Event]:
        if self.version:
            raise Duplicate(f"interest {self.id} already exists", self.id)
        contact.check_active()
        organization.check_active()
        if kind == "EXHIBIT" and not areas:
            raise InvalidValue("supplyChainAreas", "an interest in exhibiting names its areas")
        return self._record(
            e.InterestCaptured(
                interest_id=self.id,
                contact_id=contact.id,
                organization_id=organization.id,
                source_event_id=source_event_id,
                kind=kind,
                edition=edition,
                supply_chain_areas=areas,
                product_categories=categories,
            )
        )

    def qualify(self) -> list[Event]:
        self._require("qualify", InterestStage.CAPTURED)
        return self._record(e.InterestQualified(interest_id=self.id))

    def nurture(self) -> list[Event]:
        self._require("nurture", InterestStage.QUALIFIED)
        return self._record(e.InterestNurturingStarted(interest_id=self.id))

    def assign_owner(self, owner: str) -> list[Event]:
        self._require("assign an owner to", *OPEN_STAGES)
        return self._record(e.InterestOwnerAssigned(interest_id=self.id, owner=owner))

    def convert(
        self, contact: Contact, organization: Organization, application_id: str | None = None
    ) -> list[Event]:
        """By staff (from QUALIFIED or NURTURING), or because an application names it."""
        stages = (
            OPEN_STAGES if application_id else (InterestStage.QUALIFIED, InterestStage.NURTURING)
        )
        self._require("convert", *stages)
        contact.check_remembered()  # the conversion would copy the person's details
        return self._record(
            e.InterestConverted(
                interest_id=self.id,
                kind=self.kind,
                edition=self.edition,
                organization_id=organization.id,
                organization_name=organization.name,
                country=organization.country,
                supply_chain_areas=list(self.areas),
                product_categories=list(self.categories),
                contact={
                    "contactId": contact.id,
                    "name": contact.name,
                    "email": contact.email,
                    "phone": contact.phone,
                },
                source_event_id=self.source_event_id,
                application_id=application_id,
            )
        )

    def lose(self, reason: str) -> list[Event]:
        self._require("mark as lost", *OPEN_STAGES)
        return self._record(
            e.InterestLost(interest_id=self.id, reason=reason, contact_id=self.contact_id)
        )

    def application_submitted(
        self, application_id: str, contact: Contact, organization: Organization
    ) -> list[Event]:
        """exhibitors' ApplicationSubmitted names this interest: idempotent. A forgotten
        contact's interest is only linked: a conversion would copy their details."""
        self.check_exists()
        if self.application_id == application_id:
            return []
        if self.stage in OPEN_STAGES and not contact.forgotten:
            return self.convert(contact, organization, application_id)
        return self._record(
            e.InterestApplicationLinked(interest_id=self.id, application_id=application_id)
        )

    def conversion_refused(self, interest_version: int, code: str, reason: str) -> list[Event]:
        """exhibitors refused the application the conversion at `interest_version` asked
        for: back to QUALIFIED. Idempotent; a refusal of an earlier conversion, or of one
        an application answers, changes nothing."""
        self.check_exists()
        if (self.stage, self.application_id) != (InterestStage.CONVERTED, None):
            return []
        if self.converted_version != interest_version:
            return []
        return self._record(
            e.InterestConversionRefused(
                interest_id=self.id, code=code, reason=reason, contact_id=self.contact_id
            )
        )

    def add_note(self, note_id: str, text: str) -> list[Event]:
        self._require("add a note to", *OPEN_STAGES, InterestStage.CONVERTED, InterestStage.LOST)
        return self._record(
            e.NoteAdded(note_id=note_id, subject_id=self.id, text=text, contact_id=self.contact_id)
        )

    def check_exists(self) -> None:
        if not self.version:
            raise NotFound(f"no interest {self.id}")

    def _require(self, action: str, *stages: InterestStage) -> None:
        self.check_exists()
        if self.stage not in stages:
            raise InvalidTransition(f"cannot {action} an interest that is {self.stage}")

    def when(self, event: Event) -> None:
        if stage := _STAGE.get(type(event)):
            self.stage = stage
        match event:
            case e.InterestCaptured():
                self.stage, self.kind, self.edition = (
                    InterestStage.CAPTURED,
                    event.kind,
                    event.edition,
                )
                self.contact_id, self.organization_id = event.contact_id, event.organization_id
                self.source_event_id = event.source_event_id
                self.areas = tuple(event.supply_chain_areas)
                self.categories = tuple(event.product_categories)
            case e.InterestOwnerAssigned(owner=owner):
                self.owner = owner
            case e.InterestConverted(application_id=application):
                self.stage, self.application_id = InterestStage.CONVERTED, application
                self.converted_version = self.version
            case e.InterestApplicationLinked(application_id=application):
                self.application_id = application


_STAGE: dict[type[Event], InterestStage] = {
    e.InterestQualified: InterestStage.QUALIFIED,
    e.InterestNurturingStarted: InterestStage.NURTURING,
    e.InterestLost: InterestStage.LOST,
    e.InterestConversionRefused: InterestStage.QUALIFIED,
}


@dataclass
class FollowUp(Aggregate):
    opened_by = (e.FollowUpScheduled,)
    # the scheduler's announcement: marking done what one saw before it is no conflict
    bookkeeping = (e.FollowUpBecameOverdue,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    status: FollowUpStatus | None = None
    subject_id: str = ""
    contact_id: str | None = None  # the contact it is about, if any
    owner: str = ""
    due_at: datetime | None = None
    announced_for: datetime | None = None

    @property
    def stream_id(self) -> str:
        return follow_up_stream(self.id)

    def schedule(
        self,
        subject_id: str,
        contact_id: str | None,
        owner: str,
        due_at: datetime,
        note: str | None,
    ) -> list[Event]:
        """On `subject_id`, about `contact_id` (the subject or its interest's contact)."""
        if self.version:
            raise Duplicate(f"follow-up {self.id} already exists", self.id)
        return self._record(
            e.FollowUpScheduled(
                follow_up_id=self.id,
                subject_id=subject_id,
                owner=owner,
                due_at=due_at.isoformat(),
                note=note,
                contact_id=contact_id,
            )
        )

    def reschedule(self, due_at: datetime) -> list[Event]:
        self._require("reschedule")
        return self._record(e.FollowUpRescheduled(follow_up_id=self.id, due_at=due_at.isoformat()))

    def complete(self, outcome: str) -> list[Event]:
        self._require("complete")
        return self._record(
            e.FollowUpCompleted(follow_up_id=self.id, outcome=outcome, contact_id=self.contact_id)
        )

    def cancel(self, reason: str) -> list[Event]:
        self._require("cancel")
        return self._record(
            e.FollowUpCancelled(follow_up_id=self.id, reason=reason, contact_id=self.contact_id)
        )

    def announce_overdue(self, now: datetime) -> list[Event]:
        """Once per due time, and only when it is really overdue: running twice is safe."""
        if self.status != FollowUpStatus.SCHEDULED or self.due_at is None or now <= self.due_at:
            return []
        if self.announced_for == self.due_at:
            return []
        return self._record(
            e.FollowUpBecameOverdue(
                follow_up_id=self.id,
                subject_id=self.subject_id,
                owner=self.owner,
                due_at=self.due_at.isoformat(),
            )
        )

    def _require(self, action: str) -> None:
        if not self.version:
            raise NotFound(f"no follow-up {self.id}")
        if self.status != FollowUpStatus.SCHEDULED:
            raise InvalidTransition(f"cannot {action} a follow-up that is {self.status}")

    def when(self, event: Event) -> None:
        match event:
            case e.FollowUpScheduled():
                self.status, self.subject_id = FollowUpStatus.SCHEDULED, event.subject_id
                self.owner = event.owner
                self.contact_id = event.contact_id  # None in those recorded before it was
                self.due_at = datetime.fromisoformat(event.due_at)
            case e.FollowUpRescheduled(due_at=due_at):
                self.due_at = datetime.fromisoformat(due_at)
            case e.FollowUpCompleted():
                self.status = FollowUpStatus.COMPLETED
            case e.FollowUpCancelled():
                self.status = FollowUpStatus.CANCELLED
            case e.FollowUpBecameOverdue(due_at=due_at):
                self.announced_for = datetime.fromisoformat(due_at)
