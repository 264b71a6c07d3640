"""The gateway's editions (the exhibitors service's configuration, kept a minute): the
last answer serves while the service is away, asked again after a few seconds; with
no answer yet, its absence is an error."""

import time
from typing import Any

import pytest
from gateway import editions
from gateway.commands import Unavailable
from gateway.editions import Editions
from gateway.news import News

LISTED = [
    {
        "code": "CISCE-2026", "name": "4th CISCE", "city": "Beijing", "country": "CN",
        "startsOn": "2026-07-14", "endsOn": "2026-07-18", "currency": "CNY",
        "supplyChainAreas": ["SMART_VEHICLES"], "opensAt": "2026-07-14T01:00:00+00:00",
        "depositThresholdPct": 30,
    }
]  # fmt: skip


class Exhibitors:
    """The exhibitors service, up or away."""

    def __init__(self) -> None:
        self.up, self.asked = True, 0

    async def get(self, service: str, path: str) -> Any:
        self.asked += 1
        if not self.up:
            raise Unavailable(service)
        return LISTED


def _editions(service: Exhibitors) -> Editions:
    return Editions(service, News("postgresql://unused"))  # type: ignore[arg-type]


async def test_the_last_answer_serves_while_the_service_is_away() -> None:
    service = Exhibitors()
    kept = _editions(service)
    assert [e.code for e in await kept.all()] == ["CISCE-2026"]
    service.up = False
    kept.fetched -= editions.EDITIONS_SECONDS + 1  # a minute on: asked again
    assert [e.code for e in await kept.all()] == ["CISCE-2026"]
    assert [e.code for e in await kept.all()] == ["CISCE-2026"]
    assert service.asked == 2  # not again at once: in RETRY_SECONDS
    assert kept.fetched > time.monotonic() - editions.EDITIONS_SECONDS


async def test_with_no_answer_yet_the_service_away_is_an_error() -> None:
    service = Exhibitors()
    service.up = False
    with pytest.raises(Unavailable):
        await _editions(service).all()
