"""Which events notify whom, and when consent lets a message go."""

from datetime import UTC, datetime, timedelta
from uuid import uuid5

import pytest
from notifications.consent import ConsentGrant, RecipientView, suppression
from notifications.rules import NOTIFICATION_NAMESPACE, RULES, Audience, notification_id, rules_for
from pavilion_contracts.notifications import SuppressionReason
from pavilion_contracts.outreach import ConsentChannel, ConsentPurpose

NOW = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
E, M, T = ConsentChannel.EMAIL, ConsentPurpose.MARKETING, ConsentPurpose.TRANSACTIONAL


def test_every_domain_notification_has_a_rule() -> None:
    wanted = {
        "pavilion.exhibitors.ApplicationSubmitted.v2",  # read as the latest version
        "pavilion.exhibitors.ApplicationApproved.v1",
        "pavilion.exhibitors.ApplicationRejected.v1",
        "pavilion.exhibitors.ApplicationWaitlisted.v1",
        "pavilion.exhibitors.BoothAssigned.v1",
        "pavilion.exhibitors.ContractIssued.v1",
        "pavilion.exhibitors.RebookingOffered.v1",
        "pavilion.outreach.ContactInvited.v1",
        "pavilion.outreach.RsvpAccepted.v1",
        "pavilion.outreach.InterestOwnerAssigned.v1",
        "pavilion.outreach.FollowUpBecameOverdue.v1",
    }
    assert {rule.event_type for rule in RULES} == wanted
    assert len({rule.name for rule in RULES}) == len(RULES)
    [invitation] = rules_for("pavilion.outreach.ContactInvited.v1")
    assert (invitation.audience, invitation.purpose) == (Audience.CONTACT, M)
    assert all(r.purpose is T for r in RULES if r.audience is Audience.APPLICATION_CONTACTS)
    assert rules_for("pavilion.exhibitors.BoothDefined.v1") == []
    # a re-booking offer: to an existing customer (no marketing consent needed, an
    # opt-out stops it), with the unsubscribe link all the same
    [offer] = rules_for("pavilion.exhibitors.RebookingOffered.v1")
    assert (offer.audience, offer.purpose, offer.unsubscribe) == (Audience.OFFER_CONTACTS, T, True)
    assert not any(r.unsubscribe for r in RULES if r is not offer)


def test_a_notification_id_is_the_same_for_the_same_event_rule_and_recipient() -> None:
    first = notification_id("evt-1", "invitation", "Jane@Example.com")
    assert first == notification_id("evt-1", "invitation", "jane@example.com")
    assert first != notification_id("evt-2", "invitation", "jane@example.com")
    assert first != notification_id("evt-1", "rsvp-confirmation", "jane@example.com")
    # not a hash anyone could compute from a guessed address: the pseudonym's key is in it
    assert first != str(uuid5(NOTIFICATION_NAMESPACE, "evt-1/invitation/jane@example.com"))


def view(**kw: object) -> RecipientView:
    return RecipientView("jane@example.com", **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("recipient", "purpose", "expected"),
    [
        (view(), T, None),
        (view(), M, SuppressionReason.NO_CONSENT),
        (view(consents={(E, M): ConsentGrant(NOW, None)}), M, None),
        (view(consents={(E, M): ConsentGrant(NOW, NOW + timedelta(days=1))}), M, None),
        (
            view(consents={(E, M): ConsentGrant(NOW - timedelta(days=200), NOW)}),
            M,
            SuppressionReason.CONSENT_EXPIRED,
        ),
        (view(opted_out=True), T, SuppressionReason.OPTED_OUT),
        (
            view(opted_out=True, consents={(E, M): ConsentGrant(NOW, None)}),
            M,
            SuppressionReason.OPTED_OUT,
        ),
    ],
)
def test_consent_decides_marketing_and_an_opt_out_stops_everything(
    recipient: RecipientView, purpose: ConsentPurpose, expected: SuppressionReason | None
) -> None:
    assert suppression(recipient, E, purpose, NOW) == expected


def test_sms_consent_does_not_cover_email() -> None:
    recipient = view(consents={("SMS", M): ConsentGrant(NOW, None)})
    assert suppression(recipient, E, M, NOW) is SuppressionReason.NO_CONSENT
