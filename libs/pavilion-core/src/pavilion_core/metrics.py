"""Prometheus metrics. Request latency is measured as requests pass; the figures that
live in databases and Kafka (outbox backlog, publishing held back, consumer and
projection lag, notifications by outcome) are read when /metrics is scraped, by each
process's refreshers — no background polling."""

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, Histogram, generate_latest

from pavilion_core.outages import dependency_down

Refresher = Callable[[], Awaitable[None]]

REQUEST_SECONDS = Histogram(
    "pavilion_http_request_seconds",
    "Time to answer an HTTP request (commands, queries, GraphQL).",
    ["service", "method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
OUTBOX_BACKLOG = Gauge(
    "pavilion_outbox_backlog_events", "Events stored but not yet relayed to Kafka.", ["service"]
)
RELAY_HELD_BACK = Gauge(
    "pavilion_relay_held_back_seconds",
    "How long a transaction still open in the service's database has held publishing back"
    " (0: nothing held back).",
    ["service"],
)
CONSUMER_LAG = Gauge(
    "pavilion_consumer_lag_messages",
    "Messages on the topics that a consumer group has not applied yet.",
    ["group"],
)
PARKED = Gauge(
    "pavilion_consumer_parked_messages",
    "Messages a consumer group could not apply, held back with their records until a redrive.",
    ["group"],
)
OFFSETS_OUT_OF_LOG = Gauge(
    "pavilion_consumer_offsets_out_of_log",
    "Partitions whose stored offset lies outside the topic's log (records deleted, or a"
    " topic recreated): the consumer group refuses to go on.",
    ["group"],
)
NOTIFICATIONS = Gauge(
    "pavilion_notifications", "Notifications by outcome (sent, suppressed, failed…).", ["status"]
)


REFRESHED = Gauge(
    "pavilion_metrics_refreshed",
    "1 when this scrape read the figures kept in a database or Kafka (`figures`: whose);"
    " 0 when that dependency was away or slow: those figures are then as last read.",
    ["figures"],
)
# A scrape waits this long for each refresher before it gives up on its figures.
REFRESH_DEADLINE_SECONDS = 2.0


async def exposition(refreshers: Sequence[Refresher]) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, refreshed first. A refresher whose
    database or broker is away does not fail the scrape: an outage is when the request
    figures (the 503s) matter most. Its figures stay as last read, marked not refreshed."""
    for refresh in refreshers:
        try:
            await asyncio.wait_for(refresh(), REFRESH_DEADLINE_SECONDS)
            refreshed = True
        except Exception as exc:
            if not (isinstance(exc, TimeoutError) or dependency_down(exc)):
                raise
            refreshed = False
        REFRESHED.labels(refresh.__name__).set(int(refreshed))
    return generate_latest(), CONTENT_TYPE_LATEST
