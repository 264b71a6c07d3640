"""The exhibitors service's commands, each declared once (pavilion_core.commanding): its
fields are what the caller sends, path ids included; the route says where it is
posted, which GraphQL mutation sends it and which kind of record it changes. The
service's HTTP API, its handlers and the gateway's mutation inputs are made from these.
Checked here for form; the service's aggregates check the rules."""

from collections.abc import Callable
from datetime import date
from typing import Annotated, ClassVar, TypeVar
from uuid import UUID

from pavilion_core.bodies import Body, Country, Language, MinorUnits, Moment, Text, TimeZone
from pavilion_core.commanding import Command, Contract
from pydantic import EmailStr, Field

from pavilion_contracts.exhibitors.enums import SupplyChainArea

# The service's commands ("contract" alone would be ambiguous here: exhibitors sign contracts)
COMMANDS = Contract("exhibitors")

EditionCode = Annotated[str, Field(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$")]  # CISCE-2026
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$"
Code = Annotated[str, Field(pattern=CODE_PATTERN)]  # of a hall, of a booth
Reason = Annotated[str, Field(min_length=1, max_length=1000)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[
    int, Field(gt=0, le=10**13, description="minor units of the currency"), MinorUnits()
]
Areas = Annotated[list[SupplyChainArea], Field(min_length=1, max_length=7)]
Categories = Annotated[list[Text], Field(max_length=50)]
SizeSqm = Annotated[int, Field(gt=0, le=10000)]
ApplicationId = Annotated[UUID, Field(description="The application's id.")]

BY_OWNER = "Staff, or the exhibitor itself."


class ContactIn(Body):
    """A contact person of an application."""

    name: Text
    email: EmailStr
    phone: Annotated[str, Field(max_length=40)] | None = None


class ApplicantContactIn(ContactIn):
    """A contact person named in an application."""

    language: Language | None = Field(
        default=None, description="Preferred language, BCP 47 (en, zh, fr-CA)."
    )


class AddressIn(Body):
    """A postal address: at least its country."""

    graphql_name: ClassVar[str] = "PostalAddressInput"

    street_lines: Annotated[list[Text], Field(max_length=4)] = Field(default_factory=list)
    city: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    postal_code: Annotated[str, Field(min_length=1, max_length=20)] | None = None
    region: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    country: Country


@COMMANDS.command("/applications", "submitExhibitorApplication", "Exhibitor", creates=True)
class SubmitApplication(Command):
    """Apply to exhibit at an edition (one application per organization and edition)."""

    edition: EditionCode
    company_name: Text
    country: Country
    address: AddressIn | None = Field(
        default=None, description="The company's postal address (default: only the country)."
    )
    supply_chain_areas: Areas
    product_categories: Categories = Field(default_factory=list)
    contacts: Annotated[list[ApplicantContactIn], Field(max_length=20)] = Field(
        default_factory=list
    )
    organization_id: UUID | None = None
    source_interest_id: UUID | None = None
    previous_editions: Annotated[int, Field(ge=0, le=100)] = 0
    booth_size_sqm: SizeSqm | None = None


# -- changes of one application: /applications/{application_id}/… ----------------------


C = TypeVar("C", bound=Command)


def _application(
    action: str, mutation: str, *, input: str = "", description: str | None = None
) -> Callable[[type[C]], type[C]]:
    """Declare a change of the application the path's id names."""
    return COMMANDS.command(
        f"/applications/{{application_id}}/{action}",
        mutation,
        "Exhibitor",
        input=input,
        description=description,
    )


class ApplicationCommand(Command):
    """A change of one application."""

    application_id: ApplicationId


class ReasonCommand(ApplicationCommand):
    reason: Reason


@_application("review", "startReview", input="ApplicationInput")
class StartReview(ApplicationCommand):
    """Start reviewing a submitted application."""


@_application("approve", "approveApplication", input="ApplicationInput")
class ApproveApplication(ApplicationCommand):
    """Approve an application under review or waitlisted."""


@_application("reject", "rejectApplication", input="ReasonInput")
class RejectApplication(ReasonCommand):
    """Reject an application under review or waitlisted; an offered booth goes back."""


@_application("waitlist", "waitlistApplication", input="ApplicationInput")
class WaitlistApplication(ApplicationCommand):
    """Put an application under review on the edition's waitlist."""


@_application("contract", "issueContract")
class IssueContract(ApplicationCommand):
    """Issue the contract of an approved application, in the edition's currency."""

    amount: Amount
    currency: Currency
    due_date: date


@_application("contract/sign", "signContract", input="ApplicationInput", description=BY_OWNER)
class SignContract(ApplicationCommand):
    """Sign the contract issued: the application is contracted."""


@_application("payments", "recordPayment")
class RecordPayment(ApplicationCommand):
    """Record a payment towards the contract, at most what is outstanding."""

    amount: Amount
    currency: Currency
    reference: Text


@_application("booth", "assignBooth")
class AssignBooth(ApplicationCommand):
    """Assign a free booth (or the one offered) once the deposit is paid."""

    hall: Code
    booth_code: Code


@_application("confirm", "confirmParticipation", input="ApplicationInput")
class ConfirmParticipation(ApplicationCommand):
    """Confirm a contracted application that has paid in full and has its booth."""


@_application("withdraw", "withdrawApplication", input="ReasonInput", description=BY_OWNER)
class WithdrawApplication(ReasonCommand):
    """Withdraw an open application, even after the edition opened; its booth goes back."""


@_application(
    "cancel",
    "cancelApplication",
    input="ReasonInput",
    description="For non-payment: the booth is released.",
)
class CancelForNonPayment(ReasonCommand):
    """Cancel an application whose payment is overdue; its booth goes back."""


@_application("profile", "updateExhibitorProfile", description=BY_OWNER)
class UpdateProfile(ApplicationCommand):
    """Change the company's profile: the fields sent, the others kept."""

    company_name: Text | None = None
    country: Country | None = None
    website: Annotated[str, Field(max_length=300, pattern=r"^https?://\S+$")] | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None


@_application("contacts", "addExhibitorContact", description=BY_OWNER)
class AddContact(ApplicationCommand, ContactIn):
    """Add a contact person to an application."""


@_application("contacts/remove", "removeExhibitorContact", description=BY_OWNER)
class RemoveContact(ApplicationCommand):
    """Remove a contact person from an application."""

    email: EmailStr


@_application(
    "contacts/forget",
    "forgetExhibitorContact",
    description="ADMIN only. Forget a contact person of the application (GDPR art. 17): "
    "their key is destroyed, every copy of their personal data erased, and they are no "
    "longer a contact. Forgetting again changes nothing.",
)
class ForgetContact(ApplicationCommand):
    """Forget a contact person of an application (GDPR art. 17)."""

    email: EmailStr


@_application("supply-chain-areas", "setSupplyChainAreas", description=BY_OWNER)
class SetSupplyChainAreas(ApplicationCommand):
    """Replace the application's supply-chain areas (the edition's only)."""

    supply_chain_areas: Areas


@_application("product-categories", "setProductCategories", description=BY_OWNER)
class SetProductCategories(ApplicationCommand):
    """Replace the application's product categories."""

    product_categories: Categories


# -- the floor plan of a hall: /editions/{edition}/halls/{hall}/booths… ----------------


class BoothCommand(Command):
    """A change of one booth of a hall's floor plan."""

    edition: EditionCode
    hall: Code
    booth_code: Code


@COMMANDS.command("/editions/{edition}/halls/{hall}/booths", "defineBooth", "", creates=True)
class DefineBooth(BoothCommand):
    """Add a booth to a hall's floor plan."""

    size_sqm: SizeSqm
    supply_chain_area: SupplyChainArea


@COMMANDS.command(
    "/editions/{edition}/halls/{hall}/booths/{booth_code}/retire",
    "retireBooth",
    "",
    description="Take a booth defined by mistake off the floor plan: refused while it is "
    "allocated or offered.",
)
class RetireBooth(BoothCommand):
    """Take a booth off its hall's floor plan."""


# -- editions: /editions… --------------------------------------------------------------


@COMMANDS.command(
    "/editions",
    "createEdition",
    "",
    creates=True,
    description="Create an edition of the expo (its code used once): applications are "
    "taken from applicationsOpenAt (default: at once) until applicationsCloseAt (default: "
    "when it opens, at the latest).",
)
class CreateEdition(Command):
    """Create an edition of the expo."""

    code: EditionCode
    name: Text
    city: Text
    country: Country
    starts_on: date
    ends_on: date
    timezone: TimeZone
    currency: Currency
    supply_chain_areas: Areas
    deposit_threshold_pct: Annotated[
        int,
        Field(
            ge=0,
            le=100,
            description="The share of the contract, in percent, paid before a booth is assigned.",
        ),
    ]
    opens_at: Moment = Field(description="When the expo opens: after it, only withdrawals.")
    applications_open_at: Moment | None = None
    applications_close_at: Moment | None = None


class EditionCommand(Command):
    """A change of one edition."""

    edition: EditionCode


@COMMANDS.command(
    "/editions/{edition}/applications/open",
    "openEditionApplications",
    "",
    description="Accept applications from now on, until the window's close (or, when it "
    "had closed, until the expo opens); refused once the expo has opened.",
)
class OpenApplications(EditionCommand):
    """Open an edition's applications now."""


@COMMANDS.command(
    "/editions/{edition}/applications/close",
    "closeEditionApplications",
    "",
    description="Accept no more applications from now on; closing closed ones changes nothing.",
)
class CloseApplications(EditionCommand):
    """Close an edition's applications now."""


@COMMANDS.command(
    "/editions/{edition}/floor-plan/copy",
    "copyFloorPlan",
    "",
    description="Define in the edition every booth of every hall of fromEdition (same "
    "hall, code, size and area); booths already there alike are kept, a different one "
    "is refused, and so is a booth of an area the edition lacks.",
)
class CopyFloorPlan(EditionCommand):
    """Copy the halls and booths of an earlier edition."""

    from_edition: EditionCode


# -- re-booking: an earlier edition's confirmed exhibitors offered a place again ---------

OfferId = Annotated[UUID, Field(description="The re-booking offer's id.")]


@COMMANDS.command(
    "/editions/{edition}/rebooking",
    "offerRebooking",
    "",
    description="Offer every exhibitor CONFIRMED at fromEdition a place at the edition, "
    "pre-filled, its previous booth held until the deadline when it is free; an exhibitor "
    "already offered, or already applying, is offered nothing new.",
)
class OfferRebooking(Command):
    """Offer an earlier edition's confirmed exhibitors a place at this edition."""

    edition: EditionCode
    from_edition: EditionCode
    deadline: Moment


def _offer(action: str, mutation: str, *, input: str = "") -> Callable[[type[C]], type[C]]:
    """Declare a change of the re-booking offer the path's id names."""
    return COMMANDS.command(
        f"/rebooking-offers/{{offer_id}}/{action}",
        mutation,
        "RebookingOffer",
        input=input,
        description="Staff only (ADMIN, ORGANIZER).",
    )


class OfferCommand(Command):
    offer_id: OfferId


@_offer("accept", "acceptRebooking", input="RebookingOfferInput")
class AcceptRebooking(OfferCommand):
    """Accept an offer before its deadline: it becomes an approved application to the
    edition, offered the booth held (accepting again changes nothing)."""


@_offer("decline", "declineRebooking")
class DeclineRebooking(OfferCommand):
    """Decline an offer: the booth held goes to the waitlist (declining again changes
    nothing)."""

    reason: Reason
