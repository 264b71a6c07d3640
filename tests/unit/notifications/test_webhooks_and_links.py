"""Standard Webhooks signing as a receiver verifies it, the retry schedule, the URL
policy, wildcard subscriptions, and signed unsubscribe links."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from notifications.unsubscribe import UnsubscribeLinks
from notifications.webhooks import (
    DEFAULT_SCHEDULE,
    RetrySchedule,
    check_url,
    new_secret,
    signed_headers,
    subscribed,
)
from pavilion_core.errors import InvalidValue
from standardwebhooks import Webhook, WebhookVerificationError

NOW = datetime.now(UTC)


def test_a_receiver_verifies_the_signature_with_the_secret() -> None:
    secret, body = new_secret(), json.dumps({"type": "pavilion.exhibitors.ApplicationApproved.v1"})
    # receivers check the timestamp against their clock: sign now, not at collection time
    headers = signed_headers(secret, "msg_2f1c", datetime.now(UTC), body)

    receiver = Webhook(secret.removeprefix("whsec_"))
    assert receiver.verify(body, headers) == json.loads(body)
    assert headers["webhook-id"] == "msg_2f1c"
    with pytest.raises(WebhookVerificationError):
        receiver.verify(body.replace("Approved", "Rejected"), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret().removeprefix("whsec_")).verify(body, headers)


def test_every_attempt_carries_the_same_id() -> None:
    secret, body = new_secret(), "{}"
    first = signed_headers(secret, "msg_1", NOW, body)
    retry = signed_headers(secret, "msg_1", NOW + timedelta(minutes=5), body)
    assert first["webhook-id"] == retry["webhook-id"]
    assert first["webhook-signature"] != retry["webhook-signature"]  # the timestamp is signed


def test_the_default_schedule_spans_about_a_day_then_abandons() -> None:
    schedule, rng = RetrySchedule(), random.Random(1)
    assert timedelta(hours=24) <= sum(DEFAULT_SCHEDULE, timedelta()) <= timedelta(hours=30)
    at, attempts = NOW, 1
    while (following := schedule.next_attempt(attempts, at, rng)) is not None:
        delay = following - at
        nominal = DEFAULT_SCHEDULE[attempts - 1]
        assert nominal * 0.8 <= delay <= nominal * 1.2
        at, attempts = following, attempts + 1
    assert attempts == len(DEFAULT_SCHEDULE) + 1


def test_a_schedule_comes_from_configuration_and_bad_ones_are_refused() -> None:
    assert RetrySchedule.parse("0.1, 0.2").delays == (
        timedelta(seconds=0.1),
        timedelta(seconds=0.2),
    )
    for text in ("", "soon", "-1"):
        with pytest.raises(InvalidValue):
            RetrySchedule.parse(text)


@pytest.mark.parametrize(
    ("url", "addresses", "allowed"),
    [
        ("https://partner.example/hooks", ["93.184.216.34"], True),
        ("http://partner.example/hooks", ["2606:2800:220:1:248:1893:25c8:1946"], True),
        ("ftp://partner.example/hooks", ["93.184.216.34"], False),
        ("https:///nohost", [], False),
        ("http://localhost:9000/hook", ["127.0.0.1"], False),
        ("http://intranet/hook", ["10.1.2.3"], False),
        ("http://[::1]/hook", ["::1"], False),
        ("http://metadata/hook", ["169.254.169.254"], False),
    ],
)
def test_only_public_http_urls_unless_private_ones_are_allowed(
    url: str, addresses: list[str], allowed: bool
) -> None:
    if allowed:
        check_url(url, addresses, allow_private=False)
    else:
        with pytest.raises(InvalidValue):
            check_url(url, addresses, allow_private=False)
    if url.startswith("http"):
        if "///" not in url:
            check_url(url, addresses, allow_private=True)


def test_wildcard_subscriptions() -> None:
    assert subscribed(["pavilion.exhibitors.*"], "pavilion.exhibitors.BoothAssigned.v1")
    assert not subscribed(["pavilion.exhibitors.*"], "pavilion.outreach.ContactInvited.v1")
    assert subscribed(["*"], "pavilion.outreach.ContactInvited.v1")
    assert subscribed(
        ["pavilion.*.ApplicationApproved.v1"], "pavilion.exhibitors.ApplicationApproved.v1"
    )


def test_an_unsubscribe_link_names_its_address_and_cannot_be_forged() -> None:
    links = UnsubscribeLinks("s" * 40, "https://notify.pavilion.example/")
    link = links.link("Jane@Example.com")
    token = link.rsplit("/", 1)[1]
    assert link.startswith("https://notify.pavilion.example/unsubscribe/")
    assert links.address(token) == "jane@example.com"
    with pytest.raises(InvalidValue):
        links.address(token[:-2] + ("A" if token[-1] != "A" else "B") + token[-1])
    with pytest.raises(InvalidValue):
        UnsubscribeLinks("t" * 40, "https://x").address(token)
    with pytest.raises(ValueError):
        UnsubscribeLinks("short", "https://x")
