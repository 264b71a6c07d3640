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
from uuid import UUID, uuid5

from pavilion_contracts.exhibitors import ApplicationStatus
from pavilion_contracts.exhibitors import commands as c
from pavilion_contracts.exhibitors import events as e
from pavilion_contracts.exhibitors.rules import AFTER_OPENING, ALLOWED_IN, Change, Standing, unmet
from pavilion_contracts.exhibitors.upcasters import UPCASTERS
from pavilion_core.aggregate import Aggregate, Event
from pavilion_core.errors import Duplicate, Forgotten, InvalidTransition, InvalidValue, NotFound

from exhibitors.domain.values import Address, BoothRef, Contact, Contract, Edition

S = ApplicationStatus
APPLICATION_NAMESPACE = UUID("6f1f3a52-2a57-4d7e-9a0e-0d3c8a1f2b10")


def application_id(edition: str, organization_id: UUID | None, company_name: str) -> str:
    key = str(organization_id) if organization_id else " ".join(company_name.lower().split())
    return str(uuid5(APPLICATION_NAMESPACE, f"{edition}/{key}"))


@dataclass
class ExhibitorApplication(Aggregate):
    opened_by = (e.ApplicationSubmitted,)
    upcasters = UPCASTERS
    events = e.EVENTS
    id: str
    status: S | None = None
    version: int = 0
    edition: str = ""
    company_name: str = ""
    country: str = ""
    organization_id: str | None = None
    address: dict[str, object] = field(default_factory=dict)  # as ApplicationSubmitted's
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
    booth_size: int | None = None  # of the booth assigned
    offered_booth: BoothRef | None = None
    source_interest: str | None = None

    @property
    def stream_id(self) -> str:
        return self.id

    # -- commands: each checks the rules and returns the events it decided ----------

    def submit(self, command: c.SubmitApplication, edition: Edition, now: datetime) -> list[Event]:
        self._check_new(command, edition)
        edition.check_accepts_applications(now)
        return self._submission(command, edition)

    def _check_new(self, command: c.SubmitApplication, edition: Edition) -> None:
        if self.status is not None:
            raise Duplicate(
                f"{command.company_name!r} already applied to {edition.code}: "
                f"application {self.id}",
                self.id,
            )

    def _submission(self, command: c.SubmitApplication, edition: Edition) -> list[Event]:
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

    def rebook(self, command: c.SubmitApplication, edition: Edition, now: datetime) -> list[Event]:
        """A re-booking offer accepted: submitted and approved at once (a returning
        exhibitor needs no review), before the expo opens — whether or not the edition's
        window for new applications is open yet (a returning exhibitor is early)."""
        self._check_new(command, edition)
        edition.check_not_opened(now)
        return self._submission(command, edition) + self._record(
            e.ApplicationApproved(application_id=self.id)
        )

    def start_review(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("start the review of", c.StartReview, edition, now)
        return self._record(e.ReviewStarted(application_id=self.id))

    def approve(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("approve", c.ApproveApplication, edition, now)
        return self._record(e.ApplicationApproved(application_id=self.id))

    def reject(self, reason: str, edition: Edition, now: datetime) -> list[Event]:
        self._check("reject", c.RejectApplication, edition, now)
        return self._record(e.ApplicationRejected(application_id=self.id, reason=reason))

    def waitlist(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("waitlist", c.WaitlistApplication, edition, now)
        return self._record(e.ApplicationWaitlisted(application_id=self.id))

    def issue_contract(self, cmd: c.IssueContract, edition: Edition, now: datetime) -> list[Event]:
        self._check("issue a contract for", c.IssueContract, edition, now)
        if cmd.currency != edition.currency:
            raise InvalidValue("currency", f"{edition.code} contracts are in {edition.currency}")
        if cmd.due_date < now.date():
            raise InvalidValue("dueDate", "the due date is in the past")
        return self._record(
            e.ContractIssued(
                application_id=self.id,
                amount=cmd.amount,
                currency=cmd.currency,
                due_date=cmd.due_date.isoformat(),
            )
        )

    def sign_contract(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("sign the contract of", c.SignContract, edition, now)
        return self._record(e.ContractSigned(application_id=self.id))

    def record_payment(self, cmd: c.RecordPayment, edition: Edition, now: datetime) -> list[Event]:
        self._check("record a payment for", c.RecordPayment, edition, now)
        contract = self._contract()
        if cmd.currency != contract.currency:
            raise InvalidValue("currency", f"the contract is in {contract.currency}")
        outstanding = contract.amount - self.paid
        if cmd.amount > outstanding:
            raise InvalidValue("amount", f"the payment exceeds the outstanding {outstanding}")
        paid_total = self.paid + cmd.amount
        return self._record(
            e.PaymentRecorded(
                application_id=self.id,
                amount=cmd.amount,
                currency=cmd.currency,
                reference=cmd.reference,
                paid_total=paid_total,
            )
        )

    def assign_booth(
        self, booth: BoothRef, size_sqm: int, edition: Edition, now: datetime
    ) -> list[Event]:
        self._check("assign a booth to", c.AssignBooth, edition, now)
        return self._record(
            e.BoothAssigned(
                application_id=self.id,
                edition=edition.code,
                hall=booth.hall,
                booth_code=booth.code,
                size_sqm=size_sqm,
            )
        )

    def confirm(self, edition: Edition, now: datetime) -> list[Event]:
        self._check("confirm", c.ConfirmParticipation, edition, now)
        return self._record(e.ParticipationConfirmed(application_id=self.id))

    def withdraw(self, reason: str) -> list[Event]:
        """Allowed in every open state, even after the edition opened."""
        self._require("withdraw", *ALLOWED_IN[c.WithdrawApplication])
        return self._release_booth(reason) + self._record(
            e.ApplicationWithdrawn(application_id=self.id, reason=reason)
        )

    def cancel_for_non_payment(self, reason: str, edition: Edition, now: datetime) -> list[Event]:
        self._check("cancel", c.CancelForNonPayment, edition, now)
        return self._release_booth(reason) + self._record(
            e.ApplicationCancelled(application_id=self.id, reason=reason)
        )

    def release_offer(self, reason: str) -> list[Event]:
        """Give back a booth offered from the waitlist (when leaving or taking another)."""
        if self.offered_booth is None:
            return []
        booth = self.offered_booth
        return self._record(
            e.BoothReleased(
                application_id=self.id,
                edition=self.edition,
                hall=booth.hall,
                booth_code=booth.code,
                reason=reason,
            )
        )

    def offer(self, booth: BoothRef) -> list[Event]:
        return self._record(
            e.BoothOffered(
                application_id=self.id, edition=self.edition, hall=booth.hall, booth_code=booth.code
            )
        )

    def update_profile(self, cmd: c.UpdateProfile, edition: Edition, now: datetime) -> list[Event]:
        self._check("update the profile of", c.UpdateProfile, edition, now)
        return self._record(
            e.ExhibitorProfileUpdated(
                application_id=self.id,
                company_name=cmd.company_name or self.company_name,
                country=cmd.country or self.country,
                website=cmd.website if cmd.website is not None else self.website,
                description=cmd.description if cmd.description is not None else self.description,
            )
        )

    def add_contact(self, contact: Contact, edition: Edition, now: datetime) -> list[Event]:
        self._check("add a contact to", c.AddContact, edition, now)
        if contact.email.lower() in self._addresses(self.forgotten):
            raise Forgotten(f"that contact of application {self.id} was forgotten")
        if contact.email in self.contacts:
            raise Duplicate(f"{contact.email} is already a contact of {self.id}", self.id)
        return self._record(
            e.ExhibitorContactAdded(
                application_id=self.id, name=contact.name, email=contact.email, phone=contact.phone
            )
        )

    def remove_contact(self, email: str, edition: Edition, now: datetime) -> list[Event]:
        self._check("remove a contact from", c.RemoveContact, edition, now)
        if email not in self.contacts:
            raise NotFound(f"{email} is not a contact of application {self.id}")
        return self._record(e.ExhibitorContactRemoved(application_id=self.id, email=email))

    def forget_contact(self, email: str) -> list[Event]:
        """GDPR art. 17, in any state: every appearance of the address is forgotten (the
        event names them by number, not by address); twice changes nothing while the
        address still reads (a retry before its key was destroyed), and once it reads as
        null the address is no contact this application knows: NOT_FOUND."""
        self._require("forget a contact of", *ALLOWED_IN[c.ForgetContact])
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
        return (
            self._record(e.ExhibitorContactForgotten(application_id=self.id, appearances=remaining))
            if remaining
            else []
        )

    def _addresses(self, numbers: set[int]) -> set[str | None]:
        return {(self.appearances[n - 1] or "").lower() or None for n in numbers}

    def set_areas(self, areas: list[str], edition: Edition, now: datetime) -> list[Event]:
        self._check("set the supply-chain areas of", c.SetSupplyChainAreas, edition, now)
        _check_areas(edition, areas)
        return self._record(e.SupplyChainAreasSet(application_id=self.id, supply_chain_areas=areas))

    def set_categories(self, categories: list[str], edition: Edition, now: datetime) -> list[Event]:
        self._check("set the product categories of", c.SetProductCategories, edition, now)
        return self._record(
            e.ProductCategoriesSet(application_id=self.id, product_categories=categories)
        )

    # -- rules --------------------------------------------------------------------

    def _require(self, action: str, *states: S) -> None:
        if self.status is None:
            raise NotFound(f"no application {self.id}")
        if self.status not in states:
            raise InvalidTransition(f"cannot {action} an application that is {self.status}")

    def _check(self, action: str, change: Change, edition: Edition, now: datetime) -> None:
        """Exists, the edition has not opened, the state allows `change` (the contract's
        rules) and so does the rest of the application's standing."""
        self._require(action, *S)
        if change not in AFTER_OPENING:
            edition.check_not_opened(now)
        self._require(action, *ALLOWED_IN[change])
        if why := unmet(change, self.standing(edition, now)):
            raise InvalidTransition(f"application {self.id}: {why}")

    def standing(self, edition: Edition, now: datetime) -> Standing:
        """The application as the contract's rules look at it (their `allowed`, `unmet`)."""
        assert self.status is not None  # _require saw to it
        return Standing(
            status=self.status,
            opened=edition.has_opened(now),
            deposit_pct=edition.deposit_threshold_pct,
            today=now.date(),
            contract_amount=self.contract.amount if self.contract else None,
            contract_due=self.contract.due_date if self.contract else None,
            paid=self.paid,
            booth=self.booth.code if self.booth else None,
        )

    def _contract(self) -> Contract:
        if self.contract is None:
            raise InvalidTransition(f"application {self.id} has no contract")
        return self.contract

    def _release_booth(self, reason: str) -> list[Event]:
        """Give back the booth held and any booth offered."""
        held = [b for b in (self.booth, self.offered_booth) if b is not None]
        return self._record(
            *(
                e.BoothReleased(
                    application_id=self.id,
                    edition=self.edition,
                    hall=b.hall,
                    booth_code=b.code,
                    reason=reason,
                )
                for b in held
            )
        )

    def when(self, event: Event) -> None:
        if status := _STATUS.get(type(event)):
            self.status = status
        match event:
            case e.ApplicationSubmitted():
                self._submitted(event)
            case e.ContractIssued(amount=amount, currency=currency, due_date=due):
                self.contract = Contract(amount, currency, date.fromisoformat(due))
            case e.PaymentRecorded(paid_total=paid):
                self.paid = paid
            case e.BoothAssigned(hall=hall, booth_code=code, size_sqm=size):
                self.booth, self.booth_size = BoothRef(hall, code), size
                self.offered_booth = (
                    None if self.offered_booth == self.booth else self.offered_booth
                )
            case e.BoothOffered(hall=hall, booth_code=code):
                self.offered_booth = BoothRef(hall, code)
            case e.BoothReleased(hall=hall, booth_code=code):
                released = BoothRef(hall, code)
                self.booth = None if self.booth == released else self.booth
                self.offered_booth = None if self.offered_booth == released else self.offered_booth
            case e.ExhibitorProfileUpdated():
                self.company_name, self.country = event.company_name, event.country
                self.website, self.description = event.website, event.description
            case e.ExhibitorContactAdded(name=name, email=email, phone=phone):
                self.contacts = {**self.contacts, email: Contact(name, email, phone)}
                self.appearances = [*self.appearances, email]
            case e.ExhibitorContactRemoved(email=email):
                self.contacts = {k: v for k, v in self.contacts.items() if k != email}
            case e.ExhibitorContactForgotten(appearances=appearances):
                # Their entries go by address as remembered, which reads as null once their
                # key is destroyed (every entry of a forgotten person then has a null address).
                self.forgotten = self.forgotten | set(appearances)
                gone = {self.appearances[n - 1] for n in appearances}
                self.contacts = {k: v for k, v in self.contacts.items() if k not in gone}
            case e.SupplyChainAreasSet(supply_chain_areas=areas):
                self.areas = tuple(areas)
            case e.ProductCategoriesSet(product_categories=categories):
                self.categories = tuple(categories)

    def _submitted(self, d: e.ApplicationSubmitted) -> None:
        self.edition, self.company_name, self.country = d.edition, d.company_name, d.country
        self.organization_id, self.address = d.organization_id, d.address
        self.areas, self.categories = tuple(d.supply_chain_areas), tuple(d.product_categories)
        self.contacts = {
            x["email"]: Contact(x["name"], x["email"], x.get("phone"), x["language"])
            for x in d.contacts
        }
        self.appearances = [x["email"] for x in d.contacts]
        self.previous_editions, self.booth_size_sqm = d.previous_editions, d.booth_size_sqm
        self.source_interest = d.source_interest_id


def _check_areas(edition: Edition, areas: list[str]) -> None:
    allowed = {a.value for a in edition.supply_chain_areas}
    if unknown := sorted(set(areas) - allowed):
        raise InvalidValue("supplyChainAreas", f"not areas of {edition.code}: {', '.join(unknown)}")


_STATUS: dict[type[Event], S] = {
    e.ApplicationSubmitted: S.SUBMITTED,
    e.ReviewStarted: S.UNDER_REVIEW,
    e.ApplicationApproved: S.APPROVED,
    e.ApplicationRejected: S.REJECTED,
    e.ApplicationWaitlisted: S.WAITLISTED,
    e.ContractSigned: S.CONTRACTED,
    e.ParticipationConfirmed: S.CONFIRMED,
    e.ApplicationWithdrawn: S.WITHDRAWN,
    e.ApplicationCancelled: S.CANCELLED,
}
