"""Writers: a few concurrent clients submitting exhibitor applications through the
exhibitors command API with a service token, each command with its own idempotency key
and retried with that same key after a 5xx, a 409/429 or a connection error (so a retry
can never be a second application). A 2xx is "accepted"; what the API answered and
when is kept for the verdict."""

import asyncio
import itertools
import time
import uuid
from dataclasses import dataclass, field

import httpx
from pavilion_core.service_tokens import service_client

RETRY_AFTER = 0.2  # seconds between tries of one command
ATTEMPT_TIMEOUT = 5.0  # seconds for one try: a stalled API counts as unavailable
GRACE = 30.0  # after the load stops, how long a command in flight keeps retrying


def application(key: str) -> dict[str, object]:
    """A new application; `key` makes its company name and contact unique."""
    return {
        "edition": "CISCE-2026",
        "companyName": f"Chaos {key}",
        "country": "DE",
        "supplyChainAreas": ["CLEAN_ENERGY"],
        "contacts": [{"name": "Chaos Contact", "email": contact(key)}],
    }


def contact(key: str) -> str:
    return f"{key.lower()}@chaos.example"


@dataclass
class Tally:
    """What the writers did: `accepted` maps the application id to (key, when)."""

    attempted: int = 0  # commands
    tries: int = 0  # requests, with the retries
    accepted: dict[str, tuple[str, float]] = field(default_factory=dict)
    rejected: dict[int, int] = field(default_factory=dict)  # a 4xx that is no retry: count
    unanswered: int = 0  # commands with no 2xx before the grace ran out
    successes: list[float] = field(default_factory=list)  # time.monotonic() of each 2xx
    failures: dict[str, int] = field(default_factory=dict)  # status or error: count

    def longest_gap(self, start: float, end: float) -> float:
        """The longest stretch in [start, end] with no 2xx answer."""
        times = [start, *sorted(t for t in self.successes if start < t < end), end]
        return max(b - a for a, b in itertools.pairwise(times))

    def first_success_after(self, moment: float) -> float | None:
        later = [t for t in self.successes if t >= moment]
        return min(later) - moment if later else None


async def write(url: str, writers: int, prefix: str, stop: asyncio.Event, tally: Tally) -> None:
    """`writers` clients submitting back to back into `tally` until `stop`; the commands
    in flight then finish (or give up after GRACE)."""
    async with service_client("exhibitors", url, "staff:chaos", ATTEMPT_TIMEOUT) as http:
        await asyncio.gather(*(_writer(http, f"{prefix}-{i}", stop, tally) for i in range(writers)))


async def _writer(http: httpx.AsyncClient, name: str, stop: asyncio.Event, tally: Tally) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        tally.attempted += 1
        await _command(http, f"{name}-{n}", stop, tally)


async def _command(http: httpx.AsyncClient, key: str, stop: asyncio.Event, tally: Tally) -> None:
    headers, body, give_up = {"Idempotency-Key": str(uuid.uuid4())}, application(key), None
    while True:
        tally.tries += 1
        outcome = await _try(http, body, headers)
        if isinstance(outcome, httpx.Response) and outcome.is_success:
            tally.accepted[outcome.json()["id"]] = (key, time.monotonic())
            tally.successes.append(time.monotonic())
            return
        if isinstance(outcome, httpx.Response) and _final(outcome.status_code):
            tally.rejected[outcome.status_code] = tally.rejected.get(outcome.status_code, 0) + 1
            return
        what = str(outcome.status_code) if isinstance(outcome, httpx.Response) else outcome
        tally.failures[what] = tally.failures.get(what, 0) + 1
        if stop.is_set():
            give_up = give_up or time.monotonic() + GRACE
            if time.monotonic() > give_up:
                tally.unanswered += 1
                return
        await asyncio.sleep(RETRY_AFTER)  # the client's retry back-off


async def _try(
    http: httpx.AsyncClient, body: dict[str, object], headers: dict[str, str]
) -> httpx.Response | str:
    try:
        return await http.post("/applications", json=body, headers=headers)
    except httpx.TimeoutException:
        return "timeout"
    except httpx.TransportError as exc:
        return type(exc).__name__


def _final(status: int) -> bool:
    """A 4xx other than 409 (the same key still in progress) and 429 is the answer."""
    return 400 <= status < 500 and status not in (408, 409, 425, 429)
