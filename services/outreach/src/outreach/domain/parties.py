"""Organizations, contacts (with consent) and the registry that keeps a contact's
email unique."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose, LegalBasis
from pavilion_contracts.outreach import events as e
from pavilion_contracts.outreach.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, Forgotten, InvalidTransition, NotFound
from pavilion_core.vault import pseudonym

from outreach.domain.errors import Merged
from outreach.domain.values import Consent


def organization_stream(organization_id: str) -> str:
    return organization_id


def contact_stream(contact_id: str) -> str:
    return contact_id


def email_stream(email: str) -> str:
    """The address's registry stream, named by a keyed hash of it (never the address)."""
    return f"contact-email:{pseudonym(email)}"


@dataclass
class Organization(Aggregate):
    opened_by = (e.OrganizationRegistered,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    name: str = ""
    kind: str = ""
    country: str = ""
    website: str | None = None
    merged_into: str | None = None
    merged_from: list[str] = field(default_factory=list)

    @property
    def stream_id(self) -> str:
        return organization_stream(self.id)

    @property
    def exists(self) -> bool:
        return self.version > 0

    def register(self, name: str, kind: str, country: str, website: str | None) -> list[Event]:
        if self.exists:
            raise Duplicate(f"organization {self.id} already exists", self.id)
        return self._record(
            e.OrganizationRegistered(
                organization_id=self.id, name=name, kind=kind, country=country, website=website
            )
        )

    def update(
        self, name: str | None, kind: str | None, country: str | None, website: str | None
    ) -> list[Event]:
        self.check_active()
        return self._record(
            e.OrganizationUpdated(
                organization_id=self.id,
                name=name or self.name,
                kind=kind or self.kind,
                country=country or self.country,
                website=website if website is not None else self.website,
            )
        )

    def merge_into(self, survivor: "Organization") -> list[Event]:
        self.check_active()
        survivor.check_active()
        if survivor.id == self.id:
            raise InvalidTransition("an organization cannot be merged into itself")
        return self._record(e.OrganizationMerged(organization_id=self.id, merged_into=survivor.id))

    def absorb(self, merged_id: str) -> list[Event]:
        return self._record(e.OrganizationAbsorbed(organization_id=self.id, merged_id=merged_id))

    def add_note(self, note_id: str, text: str) -> list[Event]:
        self.check_active()
        return self._record(
            e.NoteAdded(note_id=note_id, subject_id=self.id, text=text, contact_id=None)
        )

    def check_active(self) -> None:
        if not self.exists:
            raise NotFound(f"no organization {self.id}")
        if self.merged_into:
            raise Merged("organization", self.id, self.merged_into)

    def when(self, event: Event) -> None:
        match event:
            case e.OrganizationRegistered() | e.OrganizationUpdated():
                self.name, self.kind, self.country = event.name, event.kind, event.country
                self.website = event.website
            case e.OrganizationMerged(merged_into=survivor):
                self.merged_into = survivor
            case e.OrganizationAbsorbed(merged_id=absorbed):
                self.merged_from.append(absorbed)


@dataclass
class Contact(Aggregate):
    opened_by = (e.ContactRegistered,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    version: int = 0
    name: str = ""
    title: str | None = None
    email: str = ""
    phone: str | None = None
    country: str = ""
    language: str = "en"
    organization_id: str | None = None
    merged_into: str | None = None
    merged_from: list[str] = field(default_factory=list)
    consents: dict[tuple[str, str], Consent] = field(default_factory=dict)
    forgotten: bool = False

    @property
    def stream_id(self) -> str:
        return contact_stream(self.id)

    @property
    def exists(self) -> bool:
        return self.version > 0

    def register(self, profile: dict[str, Any], organization_id: str | None) -> list[Event]:
        return self._record(
            e.ContactRegistered(
                contact_id=self.id,
                name=profile["name"],
                title=profile["title"],
                email=profile["email"],
                phone=profile["phone"],
                country=profile["country"],
                language=profile["language"],
                organization_id=organization_id,
            )
        )

    def update(self, profile: dict[str, Any]) -> list[Event]:
        self.check_active()
        merged = {**self.profile(), **{k: v for k, v in profile.items() if v is not None}}
        return self._record(e.ContactUpdated(contact_id=self.id, **merged))

    def profile(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "email": self.email,
            "phone": self.phone,
            "country": self.country,
            "language": self.language,
        }

    def link(self, organization_id: str) -> list[Event]:
        self.check_active()
        return self._record(
            e.ContactLinkedToOrganization(contact_id=self.id, organization_id=organization_id)
        )

    def merge_into(self, survivor: "Contact") -> list[Event]:
        self.check_active()
        survivor.check_active()
        if survivor.id == self.id:
            raise InvalidTransition("a contact cannot be merged into itself")
        return self._record(e.ContactMerged(contact_id=self.id, merged_into=survivor.id))

    def absorb(self, merged_id: str) -> list[Event]:
        return self._record(e.ContactAbsorbed(contact_id=self.id, merged_id=merged_id))

    def grant(
        self,
        channel: ConsentChannel,
        purpose: ConsentPurpose,
        basis: LegalBasis,
        evidence: str,
        now: datetime,
        expires_at: datetime | None,
    ) -> list[Event]:
        self.check_active()
        return self._record(
            e.ConsentGranted(
                contact_id=self.id,
                channel=channel,
                purpose=purpose,
                legal_basis=basis,
                evidence=evidence,
                granted_at=now.isoformat(),
                expires_at=expires_at.isoformat() if expires_at else None,
            )
        )

    def withdraw(
        self, channel: ConsentChannel, purpose: ConsentPurpose, reason: str, now: datetime
    ) -> list[Event]:
        self.check_active()
        if (channel, purpose) not in self.consents:
            raise InvalidTransition(f"{self.id} has no {channel} {purpose} consent to withdraw")
        return self._record(
            e.ConsentWithdrawn(
                contact_id=self.id,
                channel=channel,
                purpose=purpose,
                reason=reason,
                withdrawn_at=now.isoformat(),
            )
        )

    def may_contact(self, channel: ConsentChannel, purpose: ConsentPurpose, at: datetime) -> bool:
        """Valid consent now: granted, not withdrawn, not expired (expired = none)."""
        consent = self.consents.get((channel, purpose))
        return consent is not None and consent.valid_at(at)

    def as_invitee(self, at: datetime) -> dict[str, Any]:
        """What an invitation tells those who mail it: the contact as of this version of
        its stream, with its email marketing consent if valid `at` (else None), so that
        they need not wait for, or trust, their own view of the contact."""
        consent = self.consents.get((ConsentChannel.EMAIL, ConsentPurpose.MARKETING))
        valid = consent is not None and consent.valid_at(at)
        return {
            "contactVersion": self.version,
            "email": self.email,
            "name": self.name,
            "language": self.language,
            "emailMarketing": consent.as_data() if consent and valid else None,
        }

    def add_note(self, note_id: str, text: str) -> list[Event]:
        self.check_active()
        return self._record(
            e.NoteAdded(note_id=note_id, subject_id=self.id, text=text, contact_id=self.id)
        )

    def forget(self, applications: Sequence[str] = ()) -> list[Event]:
        """GDPR art. 17: a merged contact may be forgotten too; twice changes nothing.
        `applications` name their address as a contact person: they go there too."""
        if not self.exists:
            raise NotFound(f"no contact {self.id}")
        if self.forgotten:
            return []
        pseudonyms = [pseudonym(self.email)] if self.email else []
        return self._record(
            e.ContactForgotten(
                contact_id=self.id,
                application_ids=list(applications),
                address_pseudonyms=pseudonyms,
            )
        )

    def check_remembered(self) -> None:
        """Refuses whatever would record more about a forgotten person."""
        if not self.exists:
            raise NotFound(f"no contact {self.id}")
        if self.forgotten:
            raise Forgotten(f"contact {self.id} was forgotten")

    def check_active(self) -> None:
        self.check_remembered()
        if self.merged_into:
            raise Merged("contact", self.id, self.merged_into)

    def when(self, event: Event) -> None:
        match event:
            case e.ContactRegistered() | e.ContactUpdated():
                self.name, self.title, self.email = event.name, event.title, event.email
                self.phone, self.country = event.phone, event.country
                self.language = event.language
                if isinstance(event, e.ContactRegistered):
                    self.organization_id = event.organization_id
            case e.ContactLinkedToOrganization(organization_id=organization):
                self.organization_id = organization
            case e.ContactMerged(merged_into=survivor):
                self.merged_into = survivor
            case e.ContactAbsorbed(merged_id=absorbed):
                self.merged_from.append(absorbed)
            case e.ContactForgotten():
                self.forgotten = True
            case e.ConsentGranted(expires_at=expires):
                self.consents[(event.channel, event.purpose)] = Consent(
                    LegalBasis(event.legal_basis),
                    datetime.fromisoformat(event.granted_at),
                    datetime.fromisoformat(expires) if expires else None,
                    event.evidence,
                )
            case e.ConsentWithdrawn(channel=channel, purpose=purpose):
                self.consents.pop((channel, purpose), None)


@dataclass
class EmailRegistry(Aggregate):
    """One stream per normalised address: the contact it belongs to, if any."""

    opened_by = (e.ContactEmailClaimed,)
    upcasters = UPCASTERS
    events = e.EVENTS
    email: str
    version: int = 0
    contact_id: str | None = None

    @property
    def stream_id(self) -> str:
        return email_stream(self.email)

    def claim(self, contact_id: str) -> list[Event]:
        if self.contact_id not in (None, contact_id):
            raise Duplicate(f"{self.email} belongs to contact {self.contact_id}", self.contact_id)
        if self.contact_id == contact_id:
            return []
        return self._record(e.ContactEmailClaimed(email=self.email, contact_id=contact_id))

    def release(self, contact_id: str) -> list[Event]:
        if self.contact_id != contact_id:
            return []
        return self._record(e.ContactEmailReleased(email=self.email, contact_id=contact_id))

    def when(self, event: Event) -> None:
        match event:
            case e.ContactEmailClaimed(contact_id=contact):
                self.contact_id = contact
            case e.ContactEmailReleased():
                self.contact_id = None
