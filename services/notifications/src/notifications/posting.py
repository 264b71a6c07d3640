"""One webhook attempt over HTTP, safe against the endpoint: the host is resolved and
checked against the address policy at the attempt itself, the request goes to the
address that was checked, one deadline bounds the whole exchange, the answer's body
is read only so far, and redirects are never followed."""

import asyncio
from dataclasses import dataclass

import httpx

from notifications.webhooks import AddressPolicy, IPAddress, Resolver, addresses_of

RESPONSE_BODY_CAP = 64 * 1024  # the status decides; the body is only drained this far


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: error None means it succeeded."""

    status_code: int | None
    error: str | None


def webhook_client() -> httpx.AsyncClient:
    """The client deliveries go through. No keep-alive: its pool keys connections by
    address, and a connection's TLS was checked for one host name only. No proxies
    from the environment (they would look the name up again). No timeouts of its own:
    the attempt has one deadline. No redirects."""
    return httpx.AsyncClient(
        timeout=None,
        trust_env=False,
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )


async def post_once(
    http: httpx.AsyncClient,
    url: str,
    body: str,
    headers: dict[str, str],
    *,
    policy: AddressPolicy,
    resolver: Resolver,
    deadline: float,
) -> Outcome:
    """One attempt under one deadline: resolving, connecting, sending, the answer's
    headers and (capped) body; an endpoint that trickles is cut at the deadline.

    The host is resolved now and every address checked against the policy, whatever
    it resolved to at registration (DNS rebinding). A refusal sends nothing and is a
    failed attempt like any other, retried on the schedule: DNS is the endpoint
    owner's to fix, and the operator may allow-list the network meanwhile; retrying
    costs one lookup, and the abandonment at the end is as visible as any other."""
    try:
        async with asyncio.timeout(deadline):
            return await _resolve_and_post(http, httpx.URL(url), body, headers, policy, resolver)
    except httpx.InvalidURL as exc:
        return Outcome(None, f"refused: not a usable URL ({exc})")
    except TimeoutError:
        return Outcome(None, f"deadline of {deadline:g} s exceeded")
    except httpx.HTTPError as exc:
        return Outcome(None, f"{type(exc).__name__}: {exc}".removesuffix(": "))


async def _resolve_and_post(
    http: httpx.AsyncClient,
    url: httpx.URL,
    body: str,
    headers: dict[str, str],
    policy: AddressPolicy,
    resolver: Resolver,
) -> Outcome:
    host = url.raw_host.decode("ascii")
    try:
        addresses = await addresses_of(url, resolver)
    except (OSError, ValueError) as exc:
        return Outcome(None, f"cannot resolve {host}: {exc}")
    if (why := policy.refusal(host, addresses)) is not None:
        return Outcome(None, f"refused: {why}")
    for address in addresses[:-1]:
        try:
            return await _post_to(http, url, address, body, headers)
        except httpx.ConnectError:
            continue  # the next address the host has
    return await _post_to(http, url, addresses[-1], body, headers)


async def _post_to(
    http: httpx.AsyncClient, url: httpx.URL, address: IPAddress, body: str, headers: dict[str, str]
) -> Outcome:
    """Post to the address that was checked (no second lookup): the URL carries the
    address; the Host header and TLS (SNI and the certificate check) the name."""
    name = url.raw_host.decode("ascii")
    request = http.build_request(
        "POST",
        url.copy_with(host=str(address)),
        content=body,
        headers={**headers, "host": url.netloc.decode("ascii")},
        extensions={"sni_hostname": name} if url.scheme == "https" else None,
    )
    response = await http.send(request, stream=True, follow_redirects=False)
    try:
        read = 0
        async for chunk in response.aiter_raw():  # raw: nothing to decompress
            read += len(chunk)
            if read >= RESPONSE_BODY_CAP:
                break
    finally:
        await response.aclose()
    ok = 200 <= response.status_code < 300
    return Outcome(response.status_code, None if ok else f"HTTP {response.status_code}")
