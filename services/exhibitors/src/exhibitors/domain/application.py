"""The exhibitor application aggregate.

One stream per organization per edition: the id is derived from the edition and the
organization (or, for a company not yet known to outreach, its normalised name), so a
second application for the same one lands on the same stream and is refused.

States: SUBMITTED → UNDER_REVIEW → APPROVED | REJECTED | WAITLISTED; WAITLISTED →
APPROVED | REJECTED; APPROVED → CONTRACTED (contract signed) → CONFIRMED (fully paid,
booth assigned); WITHDRAWN from any open state; CANCELLED for non-payment. REJECTED,
WITHDRAWN and CANCELLED are final. Once the edition has opened, only withdrawal.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from pavilion_contracts.exhibitors import ApplicationStatus
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, Forgotten, InvalidTransition, InvalidValue, NotFound

from exhibitors import events as e
from exhibitors.domain.values import TERMINAL, Address, BoothRef, Contact, Contract, Edition

S = ApplicationStatus
APPLICATION_NAMESPACE = UUID("6f1f3a52-2a57-4d7e-9a0e-0d3c8a1f2b10")
OPEN = frozenset(S) - TERMINAL


def application_id(edition: str, organization_id: UUID | None, company_name: str) -> str:
    key = str(organization_id) if organization_id else " ".join(company_name.lower().split())
    return str(uuid5(APPLICATION_NAMESPACE, f"{edition}/{key}"))


@dataclass
class ExhibitorApplication(Aggregate):
    opened_by = (e.ApplicationSubmitted,)
    upcasters = UPCASTERS
    id: str
    status: S | None = None
    version: int = 0
    edition: str = ""
    company_name: str = ""
    country: str = ""
    website: str | None = None
    description: str | None = None
    areas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    contacts: dict[str, Contact] = field(default_factory=dict)
    # the address of each contact entry, in order: ApplicationSubmitted's contacts, then
    # each ExhibitorContactAdded; entry n (from 1) is "appearance n" of its person
    appearances: list[str | None] = field(default_factory=list)
    forgotten: set[int] = field(default_factory=set)  # appearances of forgotten people
    previous_editions: int = 0
    booth_size_sqm: int | None = None
    contract: Contract | None = None
    paid: int = 0
    booth: BoothRef | None = None
    offered_booth: BoothRef | None = None
    source_interest: str | None = None

    @property
    def stream_id(self) -> str:
        return self.id

    # -- commands: each checks the rules and returns the events it decided ----------

    def submit(self, command: c.SubmitApplication, edition: Edition, now: datetime) -> list[Event]:
        if self.status is not None:
            raise Duplicate(
                f"{command.company_name!r} already applied to {edition.code}: "
                f"application {self.id}",
                self.id,
            )
        _check_open(edition, now)
        areas = [a.value for a in dict.fromkeys(command.supply_chain_areas)]
        _check_areas(edition, areas)
        address = Address.of(command.address) if command.address else Address(command.country)
        return self._record(
            e.ApplicationSubmitted(
                application_id=self.id,
                edition=edition.code,
                company_name=command.company_name,
                country=command.country,
                address=address.as_data(),
                supply_chain_areas=areas,
                product_categories=list(command.product_categories),
                contacts=[vars(Contact.of(contact)) for contact in command.contacts],
                organization_id=str(command.organization_id) if command.organization_id else None,
                source_interest_id=(
                    str(command.source_interest_id) if command.source_interest_id else None
                ),
                previous_editions=command.previous_editions,
                booth_size_sqm=command.booth_size_sqm,
            )
        )

    def start_review(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("start the review of", edition, now, S.SUBMITTED)
        return self._record(e.ReviewStarted(self.id))

    def approve(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("approve", edition, now, S.UNDER_REVIEW, S.WAITLISTED)
        return self._record(e.ApplicationApproved(self.id))

    def reject(self, reason: str, edition: Edition, now: datetime) -> list[Event]:
        self._check("reject", edition, now, S.UNDER_REVIEW, S.WAITLISTED)
        return self._record(e.ApplicationRejected(self.id, reason))

    def waitlist(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("waitlist", edition, now, S.UNDER_REVIEW)
        return self._record(e.ApplicationWaitlisted(self.id))

    def issue_contract(self, cmd: c.IssueContract, edition: Edition, now: datetime) -> list[Event]:
        self._check("issue a contract for", edition, now, S.APPROVED)
        if cmd.currency != edition.currency:
            raise InvalidValue("currency", f"{edition.code} contracts are in {edition.currency}")
        if cmd.due_date < now.date():
            raise InvalidValue("dueDate", "the due date is in the past")
        return self._record(
            e.ContractIssued(self.id, cmd.amount, cmd.currency, cmd.due_date.isoformat())
        )

    def sign_contract(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("sign the contract of", edition, now, S.APPROVED)
        if self.contract is None:
            raise InvalidTransition(f"application {self.id} has no contract issued to sign")
        return self._record(e.ContractSigned(self.id))

    def record_payment(self, cmd: c.RecordPayment, edition: Edition, now: datetime) -> list[Event]:
        self._check("record a payment for", edition, now, S.CONTRACTED)
        contract = self._contract()
        if cmd.currency != contract.currency:
            raise InvalidValue("currency", f"the contract is in {contract.currency}")
        outstanding = contract.amount - self.paid
        if cmd.amount > outstanding:
            raise InvalidValue("amount", f"the payment exceeds the outstanding {outstanding}")
        paid_total = self.paid + cmd.amount
        return self._record(
            e.PaymentRecorded(self.id, cmd.amount, cmd.currency, cmd.reference, paid_total)
        )

    def assign_booth(
        self, booth: BoothRef, size_sqm: int, edition: Edition, now: datetime
    ) -> list[Event]:
        self._check("assign a booth to", edition, now, S.CONTRACTED)
        if self.booth is not None:
            raise InvalidTransition(f"application {self.id} already has booth {self.booth.code}")
        deposit = edition.deposit_due(self._contract().amount)
        if self.paid < deposit:
            raise InvalidTransition(
                f"a booth needs {edition.deposit_threshold_pct}% of the contract paid: "
                f"{self.paid} of {deposit} so far"
            )
        return self._record(
            e.BoothAssigned(self.id, edition.code, booth.hall, booth.code, size_sqm)
        )

    def confirm(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("confirm", edition, now, S.CONTRACTED)
        if self.paid < self._contract().amount:
            raise InvalidTransition(
                f"confirmation needs full payment: {self.paid} of {self._contract().amount}"
            )
        if self.booth is None:
            raise InvalidTransition(f"application {self.id} has no booth yet")
        return self._record(e.ParticipationConfirmed(self.id))

    def withdraw(self, reason: str) -> list[Event]:
        """Allowed in every open state, even after the edition opened."""
        self._require("withdraw", *OPEN)
        return self._release_booth(reason) + self._record(e.ApplicationWithdrawn(self.id, reason))

    def cancel_for_non_payment(self, reason: str, edition: Edition, now: datetime) -> list[Event]:
        self._check("cancel", edition, now, S.APPROVED, S.CONTRACTED)
        contract = self._contract()
        if self.paid >= contract.amount or now.date() <= contract.due_date:
            raise InvalidTransition(
                f"payment is not overdue: {self.paid} of {contract.amount} paid, "
                f"due {contract.due_date.isoformat()}"
            )
        return self._release_booth(reason) + self._record(e.ApplicationCancelled(self.id, reason))

    def release_offer(self, reason: str) -> list[Event]:
        """Give back a booth offered from the waitlist (when leaving or taking another)."""
        if self.offered_booth is None:
            return []
        booth = self.offered_booth
        return self._record(e.BoothReleased(self.id, self.edition, booth.hall, booth.code, reason))

    def offer(self, booth: BoothRef) -> list[Event]:
        return self._record(e.BoothOffered(self.id, self.edition, booth.hall, booth.code))

    def update_profile(self, cmd: c.UpdateProfile, edition: Edition, now: datetime) -> list[Event]:
        self._check("update the profile of", edition, now, *OPEN)
        return self._record(
            e.ExhibitorProfileUpdated(
                self.id,
                company_name=cmd.company_name or self.company_name,
                country=cmd.country or self.country,
                website=cmd.website if cmd.website is not None else self.website,
                description=cmd.description if cmd.description is not None else self.description,
            )
        )

    def add_contact(self, contact: Contact, edition: Edition, now: datetime) -> list[Event]:
        self._check("add a contact to", edition, now, *OPEN)
        if contact.email.lower() in self._addresses(self.forgotten):
            raise Forgotten(f"that contact of application {self.id} was forgotten")
        if contact.email in self.contacts:
            raise Duplicate(f"{contact.email} is already a contact of {self.id}", self.id)
        return self._record(
            e.ExhibitorContactAdded(self.id, contact.name, contact.email, contact.phone)
        )

    def remove_contact(self, email: str, edition: Edition, now: datetime) -> list[Event]:
        self._check("remove a contact from", edition, now, *OPEN)
        if email not in self.contacts:
            raise NotFound(f"{email} is not a contact of application {self.id}")
        return self._record(e.ExhibitorContactRemoved(self.id, email))

    def forget_contact(self, email: str) -> list[Event]:
        """GDPR art. 17, in any state: every appearance of the address is forgotten (the
        event names them by number, not by address); twice changes nothing while the
        address still reads (a retry before its key was destroyed), and once it reads as
        null the address is no contact this application knows: NOT_FOUND."""
        self._require("forget a contact of", *S)
        address = email.lower()
        numbers = [n for n, a in enumerate(self.appearances, 1) if (a or "").lower() == address]
        if not numbers:
            raise NotFound(f"that address is not a contact of application {self.id}")
        return self._forget(numbers)

    def forget_address(self, theirs: Callable[[str], bool]) -> list[Event]:
        """outreach forgot a contact whose address this application names: every
        appearance whose address `theirs` recognises is forgotten, and every one whose
        address reads as null (its key already destroyed, by outreach or by a try of
        this that did not commit); finding none is no error."""
        self._require("forget a contact of", *S)
        return self._forget(
            [n for n, a in enumerate(self.appearances, 1) if a is None or theirs(a)]
        )

    def _forget(self, numbers: list[int]) -> list[Event]:
        remaining = [n for n in numbers if n not in self.forgotten]
        return self._record(e.ExhibitorContactForgotten(self.id, remaining)) if remaining else []

    def _addresses(self, numbers: set[int]) -> set[str | None]:
        return {(self.appearances[n - 1] or "").lower() or None for n in numbers}

    def set_areas(self, areas: list[str], edition: Edition, now: datetime) -> list[Event]:
        self._check("set the supply-chain areas of", edition, now, *OPEN)
        _check_areas(edition, areas)
        return self._record(e.SupplyChainAreasSet(self.id, areas))

    def set_categories(self, categories: list[str], edition: Edition, now: datetime) -> list[Event]:
        self._check("set the product categories of", edition, now, *OPEN)
        return self._record(e.ProductCategoriesSet(self.id, categories))

    # -- rules --------------------------------------------------------------------

    def _require(self, action: str, *states: S) -> None:
        if self.status is None:
            raise NotFound(f"no application {self.id}")
        if self.status not in states:
            raise InvalidTransition(f"cannot {action} an application that is {self.status}")

    def _check(self, action: str, edition: Edition, now: datetime, *states: S) -> None:
        """Exists, the edition has not opened, and the state allows `action`."""
        self._require(action, *S)
        _check_open(edition, now)
        self._require(action, *states)

    def _contract(self) -> Contract:
        if self.contract is None:
            raise InvalidTransition(f"application {self.id} has no contract")
        return self.contract

    def _release_booth(self, reason: str) -> list[Event]:
        """Give back the booth held and any booth offered."""
        held = [b for b in (self.booth, self.offered_booth) if b is not None]
        return self._record(
            *(e.BoothReleased(self.id, self.edition, b.hall, b.code, reason) for b in held)
        )

    def when(self, event_type: str, data: dict[str, Any]) -> None:
        if apply := _APPLY.get(event_type):
            apply(self, data)


def _check_open(edition: Edition, now: datetime) -> None:
    if edition.has_opened(now):
        raise InvalidTransition(f"{edition.code} has opened: only withdrawal is possible")


def _check_areas(edition: Edition, areas: list[str]) -> None:
    allowed = {a.value for a in edition.supply_chain_areas}
    if unknown := sorted(set(areas) - allowed):
        raise InvalidValue("supplyChainAreas", f"not areas of {edition.code}: {', '.join(unknown)}")


def _submitted(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.status, a.edition = S.SUBMITTED, d["edition"]
    a.company_name, a.country = d["companyName"], d["country"]
    a.areas, a.categories = tuple(d["supplyChainAreas"]), tuple(d["productCategories"])
    a.contacts = {
        x["email"]: Contact(x["name"], x["email"], x.get("phone"), x["language"])
        for x in d["contacts"]
    }
    a.appearances = [x["email"] for x in d["contacts"]]
    a.previous_editions, a.booth_size_sqm = d["previousEditions"], d["boothSizeSqm"]
    a.source_interest = d["sourceInterestId"]


def _status(status: S) -> Callable[[ExhibitorApplication, dict[str, Any]], None]:
    def to(a: ExhibitorApplication, _: dict[str, Any]) -> None:
        a.status = status

    return to


def _booth_released(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    released = BoothRef(d["hall"], d["boothCode"])
    a.booth = None if a.booth == released else a.booth
    a.offered_booth = None if a.offered_booth == released else a.offered_booth


def _contract_issued(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.contract = Contract(d["amount"], d["currency"], date.fromisoformat(d["dueDate"]))


def _booth_assigned(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.booth = BoothRef(d["hall"], d["boothCode"])
    a.offered_booth = None if a.offered_booth == a.booth else a.offered_booth


def _booth_offered(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.offered_booth = BoothRef(d["hall"], d["boothCode"])


def _paid(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.paid = d["paidTotal"]


def _profile(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.company_name, a.country = d["companyName"], d["country"]
    a.website, a.description = d["website"], d["description"]


def _contact_added(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.contacts = {**a.contacts, d["email"]: Contact(d["name"], d["email"], d["phone"])}
    a.appearances = [*a.appearances, d["email"]]


def _contact_forgotten(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    """Their entries go by address as remembered, which reads as null once their key is
    destroyed (every entry of a forgotten person then has a null address)."""
    a.forgotten = a.forgotten | set(d["appearances"])
    gone = {a.appearances[n - 1] for n in d["appearances"]}
    a.contacts = {k: v for k, v in a.contacts.items() if k not in gone}


def _contact_removed(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.contacts = {k: v for k, v in a.contacts.items() if k != d["email"]}


def _areas(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.areas = tuple(d["supplyChainAreas"])


def _categories(a: ExhibitorApplication, d: dict[str, Any]) -> None:
    a.categories = tuple(d["productCategories"])


_APPLY: dict[str, Callable[[ExhibitorApplication, dict[str, Any]], None]] = {
    "ApplicationSubmitted": _submitted,
    "ReviewStarted": _status(S.UNDER_REVIEW),
    "ApplicationApproved": _status(S.APPROVED),
    "ApplicationRejected": _status(S.REJECTED),
    "ApplicationWaitlisted": _status(S.WAITLISTED),
    "ContractIssued": _contract_issued,
    "ContractSigned": _status(S.CONTRACTED),
    "PaymentRecorded": _paid,
    "BoothAssigned": _booth_assigned,
    "BoothOffered": _booth_offered,
    "BoothReleased": _booth_released,
    "ParticipationConfirmed": _status(S.CONFIRMED),
    "ApplicationWithdrawn": _status(S.WITHDRAWN),
    "ApplicationCancelled": _status(S.CANCELLED),
    "ExhibitorProfileUpdated": _profile,
    "ExhibitorContactAdded": _contact_added,
    "ExhibitorContactRemoved": _contact_removed,
    "ExhibitorContactForgotten": _contact_forgotten,
    "SupplyChainAreasSet": _areas,
    "ProductCategoriesSet": _categories,
}
