"""Whether a message may go to a recipient, from the service's own view of contacts
(built from outreach's consent events) and of opt-outs (its own)."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose


class Suppression(StrEnum):
    OPTED_OUT = "OPTED_OUT"  # unsubscribed from all mail: nothing, not even transactional
    NO_CONSENT = "NO_CONSENT"  # marketing without consent for the channel
    CONSENT_EXPIRED = "CONSENT_EXPIRED"  # implied consent past its expiry counts as none
    # no address known for the contact yet (its events not seen, nor carried by the trigger)
    UNKNOWN_RECIPIENT = "UNKNOWN_RECIPIENT"


@dataclass(frozen=True)
class ConsentGrant:
    granted_at: datetime
    expires_at: datetime | None


@dataclass
class RecipientView:
    address: str
    language: str = "en"
    opted_out: bool = False
    # by (contact channel as outreach records it: EMAIL or SMS, purpose)
    consents: dict[tuple[str, ConsentPurpose], ConsentGrant] = field(default_factory=dict)


def suppression(
    recipient: RecipientView, channel: ConsentChannel, purpose: ConsentPurpose, now: datetime
) -> Suppression | None:
    """None when the message may be sent, else why not."""
    if recipient.opted_out:
        return Suppression.OPTED_OUT
    if purpose is ConsentPurpose.TRANSACTIONAL:
        return None
    grant = recipient.consents.get((channel.value, ConsentPurpose.MARKETING))
    if grant is None:
        return Suppression.NO_CONSENT
    if grant.expires_at is not None and now >= grant.expires_at:
        return Suppression.CONSENT_EXPIRED
    return None
