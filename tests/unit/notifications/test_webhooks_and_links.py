"""Standard Webhooks signing as a receiver verifies it, the retry schedule, the
address policy and its configuration, one attempt against a fake transport (the
checked address, no redirects, one deadline), wildcard subscriptions, and signed
unsubscribe links."""

import asyncio
import ipaddress
import json
import random
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from notifications.config import Config
from notifications.posting import RESPONSE_BODY_CAP, Outcome, post_once
from notifications.unsubscribe import UnsubscribeLinks
from notifications.webhooks import (
    DEFAULT_SCHEDULE,
    AddressPolicy,
    RetrySchedule,
    check_url,
    new_secret,
    parse_networks,
    signed_headers,
    subscribed,
)
from pavilion_core.config import ConfigError
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
    ("host", "addresses", "refusal"),
    [
        ("partner.example", ["93.184.216.34"], None),
        ("partner.example", ["2606:2800:220:1:248:1893:25c8:1946"], None),
        ("localhost", ["127.0.0.1"], "localhost resolves to 127.0.0.1, a loopback address"),
        ("intranet", ["10.1.2.3"], "intranet resolves to 10.1.2.3, a private address"),
        ("two.example", ["93.184.216.34", "192.168.1.9"], "192.168.1.9, a private address"),
        ("::1", ["::1"], "::1 is a loopback address"),
        ("169.254.169.254", ["169.254.169.254"], "169.254.169.254 is a link-local address"),
        ("cgn.example", ["100.64.0.1"], "a shared (carrier-grade NAT) address"),
        ("group.example", ["224.0.0.1"], "a multicast address"),
        ("group6.example", ["ff02::1"], "a multicast address"),
        ("zero.example", ["0.0.0.0"], "an unspecified address"),
        ("future.example", ["240.0.0.1"], "a reserved address"),
        ("doc.example", ["192.0.2.1"], "a private address"),
        ("ula.example", ["fd00::1"], "a private address"),
        ("ll6.example", ["fe80::1"], "a link-local address"),
        ("site.example", ["fec0::1"], "a site-local address"),
        ("mapped.example", ["::ffff:127.0.0.1"], "a loopback address (in an IPv6 form)"),
        ("meta6.example", ["::ffff:169.254.169.254"], "a link-local address (in an IPv6"),
        ("compat.example", ["::7f00:1"], "a loopback address (in an IPv6 form)"),
        ("6to4.example", ["2002:a00:1::"], "a private address (in an IPv6 form)"),
        ("nat64.example", ["64:ff9b::a00:1"], "a private address (in an IPv6 form)"),
        ("public64.example", ["64:ff9b::808:808"], None),
    ],
)
def test_only_globally_routable_addresses_are_posted_to(
    host: str, addresses: list[str], refusal: str | None
) -> None:
    ips = [ipaddress.ip_address(a) for a in addresses]
    found = AddressPolicy().refusal(host, ips)
    if refusal is None:
        assert found is None
    else:
        assert found is not None and refusal in found, found


def test_the_operator_allow_lists_networks() -> None:
    policy = AddressPolicy(parse_networks(" 127.0.0.0/8, ::1/128,10.1.2.3"))
    for allowed in ("127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1", "10.1.2.3"):
        assert policy.refusal("h", [ipaddress.ip_address(allowed)]) is None, allowed
    for refused_ in ("10.1.2.4", "169.254.169.254", "::2"):
        assert policy.refusal("h", [ipaddress.ip_address(refused_)]) is not None, refused_
    assert parse_networks("") == ()
    for bad in ("localhost", "10.0.0.0/33", "10.0.0.0/8;::1"):
        with pytest.raises(ValueError, match="is not a network"):
            parse_networks(bad)


def test_webhook_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAVILION_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128")
    monkeypatch.setenv("PAVILION_WEBHOOK_DEADLINE_SECONDS", "2.5")
    config = Config.from_env()
    assert config.webhooks_allowed_networks == parse_networks("127.0.0.0/8,::1/128")
    assert config.webhook_deadline_seconds == 2.5
    monkeypatch.delenv("PAVILION_WEBHOOKS_ALLOWED_NETWORKS")
    monkeypatch.delenv("PAVILION_WEBHOOK_DEADLINE_SECONDS")
    config = Config.from_env()
    assert (config.webhooks_allowed_networks, config.webhook_deadline_seconds) == ((), 10.0)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PAVILION_WEBHOOKS_ALLOWED_NETWORKS", "127.0.0.0/8,private"),
        ("PAVILION_WEBHOOK_DEADLINE_SECONDS", "soon"),
        ("PAVILION_WEBHOOK_DEADLINE_SECONDS", "0"),
        ("PAVILION_WEBHOOK_DEADLINE_SECONDS", "-3"),
    ],
)
def test_bad_webhook_settings_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=name):
        Config.from_env()


@pytest.mark.parametrize(
    "url",
    [
        *("ftp://partner.example/hooks", "https:///nohost", "https://user:pw@partner.example/h"),
        "x",
        *("http://xn--/h", "https://xn--zz.example/h"),  # malformed IDNA: was a 500 (fuzzer)
        *("http://partner.example:99999/h", "http://partner.example:0/h"),  # no such port
        *("http://exa mple.com/h", "http://" + "a" * 64 + ".example/h", "http://-a.example/h"),
    ],
)
def test_only_http_urls_without_credentials(url: str) -> None:
    with pytest.raises(InvalidValue):
        check_url(url)
    assert check_url("https://partner.example:8443/h?x=1").host == "partner.example"
    assert check_url("https://bücher.example/h").raw_host == b"xn--bcher-kva.example"
    assert check_url("http://[2001:db8::1]:8080/h").host == "2001:db8::1"


class Body(httpx.AsyncByteStream):
    """A response body as a network transport streams it (MockTransport reads bytes)."""

    def __init__(self, *chunks: bytes) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk


class FakeDNS:
    """The resolver port, answering from a table; counts its lookups."""

    def __init__(self, **answers: list[str]) -> None:
        self.answers, self.lookups = answers, 0

    async def __call__(self, host: str, port: int) -> Sequence[str]:
        self.lookups += 1
        if host not in self.answers:
            raise OSError(f"unknown host {host}")
        return self.answers[host]


async def _post(
    url: str, transport: httpx.MockTransport, dns: FakeDNS, deadline: float = 5.0
) -> Outcome:
    async with httpx.AsyncClient(transport=transport) as http:
        headers = {"webhook-id": "msg_1"}
        return await post_once(
            http, url, "{}", headers, policy=AddressPolicy(), resolver=dns, deadline=deadline
        )


async def test_the_request_goes_to_the_checked_address_under_the_host_name() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204, stream=Body(b"ok"))

    dns = FakeDNS(**{"partner.example": ["93.184.216.34"]})
    url = "https://partner.example:8443/hooks?x=1"
    assert await _post(url, httpx.MockTransport(answer), dns) == Outcome(204, None)
    [request] = seen
    assert str(request.url) == "https://93.184.216.34:8443/hooks?x=1"
    assert request.headers["host"] == "partner.example:8443"
    assert request.extensions["sni_hostname"] == "partner.example"
    assert dns.lookups == 1


async def test_refusals_send_nothing_and_redirects_are_not_followed() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            307, headers={"location": "http://169.254.169.254/latest"}, stream=Body()
        )

    transport = httpx.MockTransport(answer)
    dns = FakeDNS(**{"partner.example": ["93.184.216.34"], "rebound.example": ["10.0.0.1"]})
    assert await _post("http://rebound.example/h", transport, dns) == Outcome(
        None, "refused: rebound.example resolves to 10.0.0.1, a private address"
    )
    assert await _post("http://169.254.169.254/h", transport, dns) == Outcome(
        None, "refused: 169.254.169.254 is a link-local address"
    )
    assert (await _post("http://gone.example/h", transport, dns)).error == (
        "cannot resolve gone.example: unknown host gone.example"
    )
    assert seen == []
    assert await _post("http://partner.example/h", transport, dns) == Outcome(307, "HTTP 307")
    assert len(seen) == 1


async def test_one_deadline_bounds_the_whole_attempt() -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()  # an endpoint that never answers
        raise AssertionError("unreachable")

    dns = FakeDNS(**{"partner.example": ["93.184.216.34"]})
    outcome = await _post("http://partner.example/", httpx.MockTransport(never), dns, 0.1)
    assert outcome == Outcome(None, "deadline of 0.1 s exceeded")


class Endless(httpx.AsyncByteStream):
    """A body that never ends; counts the bytes taken from it."""

    def __init__(self) -> None:
        self.taken = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            self.taken += 4096
            yield b"x" * 4096


async def test_the_answer_is_read_no_further_than_the_cap() -> None:
    body = Endless()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, stream=body))
    dns = FakeDNS(**{"partner.example": ["93.184.216.34"]})
    assert await _post("http://partner.example/", transport, dns) == Outcome(200, None)
    assert RESPONSE_BODY_CAP <= body.taken < RESPONSE_BODY_CAP + 4096


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
