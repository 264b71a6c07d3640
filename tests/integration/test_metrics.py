"""Prometheus metrics on a service's API: request latency by route, and the outbox
backlog read when scraped (it grows while no relay runs)."""

import re

import asyncpg
import httpx
from aiokafka import ConsumerRecord
from pavilion_core.envelope import KafkaRecord
from pavilion_core.parking import Parked, park

from tests.support import fetched


def _sample(text: str, name: str, **labels: str) -> float:
    pattern = name + r"\{([^}]*)\} (\S+)"
    for found in re.finditer(pattern, text):
        pairs = dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))
        if all(pairs.get(k) == v for k, v in labels.items()):
            return float(found.group(2))
    raise AssertionError(f"no {name} {labels} in the metrics")


async def test_metrics_show_latency_by_route_and_the_outbox_backlog(
    exhibitors_api: httpx.AsyncClient,
):
    body = {"edition": "CISCE-2026", "country": "DE", "supplyChainAreas": ["CLEAN_ENERGY"]}
    before = (await exhibitors_api.get("/metrics")).text
    # the seed's editions, made as the service started, are waiting for a relay too
    waiting = _sample(before, "pavilion_outbox_backlog_events", service="exhibitors")
    for name in ("Metric One", "Metric Two", "Metric Three"):
        response = await exhibitors_api.post("/applications", json={**body, "companyName": name})
        assert response.status_code == 201

    scraped = await exhibitors_api.get("/metrics")
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert _sample(text, "pavilion_outbox_backlog_events", service="exhibitors") == waiting + 3
    count = _sample(
        text,
        "pavilion_http_request_seconds_count",
        service="exhibitors",
        method="POST",
        route="/applications",
        status="201",
    )
    assert count >= 3


async def test_metrics_show_what_each_consumer_group_has_parked(
    exhibitors_api: httpx.AsyncClient, store_url: str
):
    conn = await asyncpg.connect(store_url)
    try:
        await park(conn, "pavilion-exhibitors-reactor", [Parked(_message(0), ValueError("bug"))])
        await park(conn, "pavilion-exhibitors-reactor", [Parked(_message(1), None)])
        held = (await exhibitors_api.get("/metrics")).text
        assert _sample(held, PARKED, group="pavilion-exhibitors-reactor") == 2
        await conn.execute("DELETE FROM parked_messages")  # as a redrive that applied them
    finally:
        await conn.close()
    redriven = (await exhibitors_api.get("/metrics")).text
    assert _sample(redriven, PARKED, group="pavilion-exhibitors-reactor") == 0


PARKED = "pavilion_consumer_parked_messages"


def _message(offset: int) -> ConsumerRecord:
    return fetched(KafkaRecord(b"interest-1", b"{}"), "pavilion.outreach.v1", 0, offset)
