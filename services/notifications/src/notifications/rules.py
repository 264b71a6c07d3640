"""Rules are data: which event notifies whom, with which template, for which purpose.

Each rule names the CloudEvent type that triggers it, the template, the audience it
goes to and whether it is TRANSACTIONAL (needs no marketing consent, still respects a
hard opt-out) or MARKETING (needs valid consent for the channel). A re-booking offer is
commercial, but to an existing customer about what it bought before (the "soft
opt-in" of the ePrivacy rules): it needs no marketing consent, an opt-out stops it, and
like marketing it carries the one-click unsubscribe link (`unsubscribe`). A notification's id
is derived from the triggering event, the rule and the recipient, so the same event
delivered again, replayed or rebalanced maps to the same notification.
"""

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from uuid import UUID, uuid5

from pavilion_contracts.outreach import ConsentPurpose
from pavilion_contracts.reader import READER
from pavilion_core.vault import pseudonym

NOTIFICATION_NAMESPACE = UUID("1b0e7c34-5d6a-4f1e-9e3b-6a2c8d9f0e11")


class Audience(StrEnum):
    APPLICATION_CONTACTS = "APPLICATION_CONTACTS"  # the exhibitor's contacts
    CONTACT = "CONTACT"  # the contact the event is about (invitee, RSVP)
    ACCEPTED_INVITEES = "ACCEPTED_INVITEES"  # everyone who accepted an outreach event
    OWNER = "OWNER"  # the staff member who owns the interest or follow-up
    OFFER_CONTACTS = "OFFER_CONTACTS"  # the contact persons a re-booking offer names


@dataclass(frozen=True)
class Rule:
    name: str
    event_type: str
    template: str
    audience: Audience
    purpose: ConsentPurpose
    unsubscribe: bool = False  # the link in a TRANSACTIONAL message (MARKETING: always)


def _exhibitors(event: str) -> str:
    return READER.ce_type("exhibitors", event)


def _outreach(event: str) -> str:
    return READER.ce_type("outreach", event)


A, T, M = Audience, ConsentPurpose.TRANSACTIONAL, ConsentPurpose.MARKETING
RULES: tuple[Rule, ...] = (
    Rule(
        "application-received",
        _exhibitors("ApplicationSubmitted"),
        "application_received",
        A.APPLICATION_CONTACTS,
        T,
    ),
    Rule(
        "application-approved",
        _exhibitors("ApplicationApproved"),
        "application_approved",
        A.APPLICATION_CONTACTS,
        T,
    ),
    Rule(
        "application-rejected",
        _exhibitors("ApplicationRejected"),
        "application_rejected",
        A.APPLICATION_CONTACTS,
        T,
    ),
    Rule(
        "application-waitlisted",
        _exhibitors("ApplicationWaitlisted"),
        "application_waitlisted",
        A.APPLICATION_CONTACTS,
        T,
    ),
    Rule(
        "booth-assigned", _exhibitors("BoothAssigned"), "booth_assigned", A.APPLICATION_CONTACTS, T
    ),
    Rule("payment-due", _exhibitors("ContractIssued"), "payment_due", A.APPLICATION_CONTACTS, T),
    Rule(
        "rebooking-offered",
        _exhibitors("RebookingOffered"),
        "rebooking_offered",
        A.OFFER_CONTACTS,
        T,
        unsubscribe=True,
    ),
    Rule("invitation", _outreach("ContactInvited"), "invitation", A.CONTACT, M),
    Rule("rsvp-confirmation", _outreach("RsvpAccepted"), "rsvp_confirmation", A.CONTACT, T),
    Rule("new-interest", _outreach("InterestOwnerAssigned"), "new_interest", A.OWNER, T),
    Rule("follow-up-overdue", _outreach("FollowUpBecameOverdue"), "follow_up_overdue", A.OWNER, T),
)
# Reminders before an outreach event, to those who accepted (an event they asked to
# attend: transactional).
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    ("event-reminder-7d", timedelta(days=7)),
    ("event-reminder-1d", timedelta(days=1)),
)


def rules_for(event_type: str) -> list[Rule]:
    return [rule for rule in RULES if rule.event_type == event_type]


def notification_id(event_id: str, rule: str, recipient: str) -> str:
    """The same event, rule and recipient always give the same notification. The id
    names a stream and a Kafka key and is shown to VIEWERs: it is derived from the
    address's keyed hash (pavilion_core.vault.pseudonym), so that nobody can confirm a
    guessed address from it."""
    return str(uuid5(NOTIFICATION_NAMESPACE, f"{event_id}/{rule}/{pseudonym(recipient)}"))
