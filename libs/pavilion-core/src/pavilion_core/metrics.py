"""Prometheus metrics. Request latency is measured as requests pass; the figures that
live in databases and Kafka (outbox backlog, publishing held back, consumer and
projection lag, notifications by outcome) are read when /metrics is scraped, by each
process's refreshers — no background polling."""

from collections.abc import Awaitable, Callable, Sequence

from prometheus_client import CONTENT_TYPE_LATEST, Gauge, Histogram, generate_latest

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


async def exposition(refreshers: Sequence[Refresher]) -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, refreshed first."""
    for refresh in refreshers:
        await refresh()
    return generate_latest(), CONTENT_TYPE_LATEST
