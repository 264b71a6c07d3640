"""The projector against the real read model: what notifications did becomes queryable
(recipients hidden from VIEWER tokens, each sent email linked to the mail viewer when
the gateway has one), every published event type has a projection,
and unknown types or versions are counted, not fatal."""

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from gateway.auth import Role, Viewer
from gateway.config import Limits
from gateway.context import Context, Services
from gateway.projector import APPLIERS, Projector
from gateway.schema import schema
from pavilion_contracts.reader import READER

from tests.support import SCHEMAS, cloud_event

NOTIFICATIONS = """query($f: NotificationFilter) {
  notifications(filter: $f) { totalCount edges { node { status recipient template rule reason
                                                         relatedId channel mailViewerUrl
                                                         } } } }"""
MAIL_VIEWER = "http://127.0.0.1:8025"


def _context(pool: asyncpg.Pool, role: Role, mail_viewer: str | None = None) -> Context:
    services = Services(pool=pool, commands=None, news=None, limits=Limits())  # type: ignore[arg-type]
    services.mail_viewer_url = mail_viewer
    return Context(services=services, viewer=Viewer("test", role))


async def _query(
    pool: asyncpg.Pool, role: Role, mail_viewer: str | None = None, **variables: Any
) -> dict[str, Any]:
    result = await schema.execute(
        NOTIFICATIONS, variable_values=variables, context_value=_context(pool, role, mail_viewer)
    )
    assert result.errors is None, result.errors
    return result.data["notifications"]  # type: ignore[index,no-any-return]


def _event(event_type: str, subject: str, version: int, minutes: int, **data: Any):
    event = cloud_event("notifications", event_type, subject, **data)
    at = datetime(2025, 12, 1, 9, tzinfo=UTC) + timedelta(minutes=minutes)
    return dataclasses.replace(event, stream_version=version, time=at)


async def test_what_notifications_did_is_queryable_and_recipients_are_hidden_from_viewers(
    read_pool: asyncpg.Pool,
):
    project = Projector(announce=False)
    app = str(uuid.uuid4())
    sent, held, failed = (str(uuid.uuid4()) for _ in range(3))
    requested = {
        "rule": "application-received",
        "template": "application_received",
        "channel": "EMAIL",
        "purpose": "TRANSACTIONAL",
        "relatedId": app,
        "triggerEventId": str(uuid.uuid4()),
    }
    events = [
        _event(
            "NotificationRequested",
            sent,
            1,
            0,
            notificationId=sent,
            recipient="ada@example.com",
            **requested,
        ),
        _event(
            "NotificationSent",
            sent,
            2,
            1,
            notificationId=sent,
            recipient="ada@example.com",
            language="en",
        ),
        _event(
            "NotificationSuppressed",
            held,
            1,
            2,
            notificationId=held,
            rule="invitation",
            recipient="bo@example.com",
            relatedId=app,
            triggerEventId=str(uuid.uuid4()),
            reason="NO_MARKETING_CONSENT",
        ),
        _event(
            "NotificationRequested",
            failed,
            1,
            3,
            notificationId=failed,
            recipient="cy@example.com",
            **requested,
        ),
        _event(
            "NotificationFailed",
            failed,
            2,
            4,
            notificationId=failed,
            recipient="cy@example.com",
            error="SMTP 554",
        ),
        _event(
            "RecipientOptedOut",
            "optout:bo@example.com",
            1,
            5,
            address="bo@example.com",
            optedOutAt="2025-12-01T09:05:00Z",
        ),
    ]
    async with read_pool.acquire() as conn, conn.transaction():
        for event in events + events[:2]:  # a redelivery changes nothing
            await project(conn, event)

    everything = await _query(read_pool, Role.ADMIN)
    nodes = [e["node"] for e in everything["edges"]]
    assert everything["totalCount"] == 3
    assert [(n["status"], n["recipient"]) for n in nodes] == [  # newest first
        ("FAILED", "cy@example.com"),
        ("SUPPRESSED", "bo@example.com"),
        ("SENT", "ada@example.com"),
    ]
    assert nodes[0]["reason"] == "SMTP 554" and nodes[1]["reason"] == "NO_MARKETING_CONSENT"
    assert {n["relatedId"] for n in nodes} == {app}
    assert {n["mailViewerUrl"] for n in nodes} == {None}  # no mail viewer set up
    linked = await _query(read_pool, Role.ORGANIZER, MAIL_VIEWER)
    assert [e["node"]["mailViewerUrl"] for e in linked["edges"]] == [
        None,  # failed: never in the viewer
        None,  # suppressed: never sent
        f"{MAIL_VIEWER}/search?q=message-id:{sent}",  # the Message-ID holds the id
    ]
    suppressed = await _query(read_pool, Role.ORGANIZER, f={"status": ["SUPPRESSED"]})
    assert suppressed["totalCount"] == 1
    viewer = await _query(read_pool, Role.VIEWER, MAIL_VIEWER)
    assert {e["node"]["recipient"] for e in viewer["edges"]} == {None}
    assert {e["node"]["mailViewerUrl"] for e in viewer["edges"]} == {None}
    assert await read_pool.fetchval("SELECT count(*) FROM timeline") == 6


async def test_unknown_types_and_versions_are_counted_not_fatal(read_pool: asyncpg.Pool):
    project = Projector(announce=False)
    newer = cloud_event("exhibitors", "ReviewStarted", str(uuid.uuid4()))
    newer = dataclasses.replace(newer, type="pavilion.exhibitors.ApplicationSubmitted.v3")
    unknown = cloud_event("exhibitors", "ApplicationTeleported", str(uuid.uuid4()))
    async with read_pool.acquire() as conn, conn.transaction():
        for event in (newer, unknown, unknown):
            await project(conn, event)
    counted = dict(await read_pool.fetch("SELECT type, count FROM skipped_events"))
    assert counted == {
        "pavilion.exhibitors.ApplicationSubmitted.v3": 1,
        "pavilion.exhibitors.ApplicationTeleported.v1": 2,
    }


def test_every_published_event_type_has_a_projection():
    """Of its latest version: the projector reads every event upcast to it."""
    published = {
        READER.ce_type(path.parent.name, path.name.split(".")[0])
        for path in SCHEMAS.glob("*/*.schema.json")
    }
    assert published and published == set(APPLIERS)


async def test_an_endpoints_changes_are_projected_in_its_order(read_pool: asyncpg.Pool):
    project = Projector(announce=False)
    endpoint = str(uuid.uuid4())
    changes = ["WebhookEndpointDisabled", "WebhookSecretRotated", "WebhookEndpointEnabled"]
    events = [
        _event(
            "WebhookEndpointRegistered",
            endpoint,
            1,
            0,
            endpointId=endpoint,
            url="https://partner.example/hook",
            eventTypes=["pavilion.exhibitors.ApplicationApproved.v1"],
        ),
        *(_event(t, endpoint, n, n, endpointId=endpoint) for n, t in enumerate(changes, 2)),
    ]
    async with read_pool.acquire() as conn, conn.transaction():
        for event in events + events[1:2]:  # a late redelivery of the disabling changes nothing
            await project(conn, event)
    row = await read_pool.fetchrow("SELECT * FROM webhook_endpoints WHERE id = $1", endpoint)
    assert row is not None
    assert (row["url"], row["status"], row["version"]) == (
        "https://partner.example/hook",
        "ACTIVE",
        4,
    )
    assert row["secret_rotated_at"] == events[2].time
    async with read_pool.acquire() as conn, conn.transaction():
        await project(conn, _event("WebhookEndpointDeleted", endpoint, 5, 5, endpointId=endpoint))
    assert (
        await read_pool.fetchval("SELECT status FROM webhook_endpoints WHERE id = $1", endpoint)
        == "DELETED"
    )
