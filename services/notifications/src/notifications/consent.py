"""Whether a message may go to a recipient, from the service's own view of contacts
(built from outreach's consent events) and of opt-outs (its own)."""

from dataclasses import dataclass, field
from datetime import datetime

from pavilion_contracts.notifications import SuppressionReason
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose


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
) -> SuppressionReason | None:
    """None when the message may be sent, else why not."""
    if recipient.opted_out:
        return SuppressionReason.OPTED_OUT
    if purpose is ConsentPurpose.TRANSACTIONAL:
        return None
    grant = recipient.consents.get((channel.value, ConsentPurpose.MARKETING))
    if grant is None:
        return SuppressionReason.NO_CONSENT
    if grant.expires_at is not None and now >= grant.expires_at:
        return SuppressionReason.CONSENT_EXPIRED
    return None
