"""Webhooks per Standard Webhooks: signed deliveries (`webhook-id`, `webhook-timestamp`,
`webhook-signature` = HMAC-SHA256 over `id.timestamp.body`), endpoints that subscribe
to event types with wildcards, retries with exponential backoff and jitter, and the
address policy: an endpoint is only posted to at globally routable addresses, unless
the operator allow-lists a network (PAVILION_WEBHOOKS_ALLOWED_NETWORKS). The policy is
applied to what the host resolves to when it is registered and again, through the
same `Resolver` port, before every attempt (DNS may change in between)."""

import asyncio
import base64
import fnmatch
import ipaddress
import random
import re
import secrets
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeAlias

import httpx
from pavilion_core.errors import InvalidValue
from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"
# Standard Webhooks' suggested schedule: about 27 hours from the first attempt.
DEFAULT_SCHEDULE: tuple[timedelta, ...] = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT (RFC 6598)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated IPv4-compatible ::a.b.c.d


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, delivery_id: str, at: datetime, body: str) -> dict[str, str]:
    """The headers of one attempt; the id is the same on every attempt."""
    signature = Webhook(secret.removeprefix(SECRET_PREFIX)).sign(delivery_id, at, body)
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


def subscribed(patterns: Iterable[str], event_type: str) -> bool:
    """`pavilion.exhibitors.*` matches every exhibitors event; `*` everything."""
    return any(fnmatch.fnmatchcase(event_type, pattern) for pattern in patterns)


@dataclass(frozen=True)
class RetrySchedule:
    """After attempt n fails, wait delays[n-1] (± jitter); past the last, abandon."""

    delays: Sequence[timedelta] = DEFAULT_SCHEDULE
    jitter: float = 0.2

    def next_attempt(
        self, failed_attempts: int, now: datetime, rng: random.Random | None = None
    ) -> datetime | None:
        if failed_attempts > len(self.delays):
            return None
        delay = self.delays[failed_attempts - 1]
        spread = (rng or random.Random()).uniform(-self.jitter, self.jitter)
        return now + delay * (1 + spread)

    @classmethod
    def parse(cls, text: str) -> "RetrySchedule":
        """From seconds separated by commas, e.g. "5,300,1800" (configuration)."""
        try:
            delays = [timedelta(seconds=float(part)) for part in text.split(",") if part.strip()]
        except ValueError:
            raise InvalidValue("schedule", f"not a list of seconds: {text!r}") from None
        if not delays or any(d.total_seconds() < 0 for d in delays):
            raise InvalidValue("schedule", f"needs at least one non-negative delay: {text!r}")
        return cls(tuple(delays))


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """Comma-separated CIDRs ("127.0.0.0/8,::1/128"; a bare address is one host).
    Raises ValueError naming the bad part."""
    networks = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(f"{part!r} is not a network (CIDR such as 10.0.0.0/8)") from None
    return tuple(networks)


@dataclass(frozen=True)
class AddressPolicy:
    """Where webhooks may go: globally routable addresses, plus allow-listed networks.
    Everything else (loopback, private, link-local and cloud metadata, multicast,
    shared, reserved, unspecified, and IPv6 forms that embed such an IPv4 address)
    could reach our own network on a partner's say-so (SSRF)."""

    allowed: tuple[IPNetwork, ...] = ()

    def refusal(self, host: str, addresses: Iterable[IPAddress]) -> str | None:
        """Why `host` may not be posted to, or None when every address may be."""
        for ip in addresses:
            if (kind := self._kind(ip)) is not None:
                named = f"{host} is" if host == str(ip) else f"{host} resolves to {ip},"
                return f"{named} {kind}"
        return None

    def _kind(self, ip: IPAddress) -> str | None:
        embedded = _embedded_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else None
        forms = [ip] if embedded is None else [ip, embedded]
        if any(form in network for form in forms for network in self.allowed):
            return None
        if embedded is not None:
            kind = _not_global(embedded)
            return f"{kind} (in an IPv6 form)" if kind else None
        return _not_global(ip)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, NAT64, 6to4)."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if ip in _NAT64 or (ip in _COMPATIBLE and int(ip) > 1):  # not :: or ::1
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _not_global(ip: IPAddress) -> str | None:
    """What kind of non-public address `ip` is, or None if it is globally routable."""
    checks = (
        (ip.is_unspecified, "an unspecified address"),
        (ip.is_loopback, "a loopback address"),
        (ip.is_link_local, "a link-local address"),
        (ip.is_multicast, "a multicast address"),
        (ip in _SHARED, "a shared (carrier-grade NAT) address"),
        (ip.is_reserved, "a reserved address"),
        (ip.is_private, "a private address"),
        (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "a site-local address"),
        (not ip.is_global, "not a globally routable address"),
    )
    return next((kind for matched, kind in checks if matched), None)


def check_url(url: str) -> httpx.URL:
    """Only http(s) URLs with a host and no credentials (the URL is in events)."""
    try:
        parsed = httpx.URL(url)
        host = parsed.host  # an IDNA host ("xn--…") is decoded here, and may be malformed
    except (httpx.InvalidURL, UnicodeError):  # idna's errors are UnicodeErrors
        parsed, host = httpx.URL(), ""
    if parsed.scheme not in ("http", "https") or not host or not _host_name(parsed.raw_host):
        raise InvalidValue("url", f"{url!r} is not an http(s) URL")
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        raise InvalidValue("url", f"port {parsed.port} is not a port (1-65535)")
    if parsed.userinfo:
        raise InvalidValue("url", "credentials in the URL are not allowed (it is published)")
    return parsed


LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")


def _host_name(raw: bytes) -> bool:
    """An IP literal, or a DNS name (IDNA-encoded) whose every label is one: a host no
    resolver could ask for is refused when registered, not at each delivery."""
    host = raw.decode("ascii", "replace").rstrip(".")
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return 0 < len(host) <= 253 and all(LABEL.match(label) for label in host.split("."))


class Resolver(Protocol):
    """The addresses a host name stands for now (a port, so tests can lie)."""

    async def __call__(self, host: str, port: int) -> Sequence[str]: ...


async def system_resolver(host: str, port: int) -> Sequence[str]:
    """The operating system's answer, through the event loop (never blocking it)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


async def addresses_of(url: httpx.URL, resolver: Resolver) -> list[IPAddress]:
    """A literal IP host as it is; a name through the resolver (raises OSError)."""
    host = url.raw_host.decode("ascii")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    found = await resolver(host, url.port or (443 if url.scheme == "https" else 80))
    if not found:
        raise OSError(f"{host} resolves to no address")
    return [ipaddress.ip_address(address) for address in found]
