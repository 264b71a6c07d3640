"""exhibitors reacts to outreach's InterestConverted (kind EXHIBIT) through the consumer
loop by starting a pre-filled application that names the interest: once, however often
it is delivered; other kinds are ignored; a conversion it refuses is recorded as
ConversionRefused with the reason, and only one that names no interest is
dead-lettered."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import jsonschema
import pytest
from exhibitors.consumers import Reactions
from pavilion_contracts.reader import READER
from pavilion_core.config import KafkaSettings
from pavilion_core.consumer import ConsumerLoop
from pavilion_core.envelope import KafkaRecord, RecordedEvent, to_kafka
from pavilion_core.kafka import KafkaPublisher, dlq_topic
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EVENT_COLUMNS, EventStore, recorded_event
from pavilion_core.testing import FixedClock

from tests.support import STORY_TIME, eventually, keys_on_one_partition, read_topic

SCHEMA = json.loads(
    (
        Path(__file__).parents[2] / "schemas/events/outreach/InterestConverted.v1.schema.json"
    ).read_text()
)


def converted(kind: str = "EXHIBIT", **changes: Any) -> KafkaRecord:
    interest = uuid.uuid4()
    data = {
        "interestId": str(interest),
        "kind": kind,
        "edition": "CISCE-2026",
        "organizationId": str(uuid.uuid4()),
        "organizationName": "Oakland AI Robotics",
        "country": "US",
        "supplyChainAreas": ["DIGITAL_TECHNOLOGY"],
        "productCategories": ["vision systems"],
        "contact": {
            "contactId": str(uuid.uuid4()),
            "name": "Maya Chen",
            "email": "Maya@oaklandai.example",
            "phone": None,
        },
        "sourceEventId": str(uuid.uuid4()),
        "applicationId": None,
    }
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    data.update(changes)
    return to_kafka(
        RecordedEvent(
            event_id=uuid.uuid4(),
            stream_id=str(interest),
            version=4,
            position=1,
            type="InterestConverted",
            schema_version=1,
            data=data,
            metadata={
                "correlation_id": "breakfast-oakland",
                "causation_id": None,
                "actor": "staff:li",
            },
            recorded_at=datetime.now(UTC),
        ),
        "outreach",
    )


async def applied(pool: asyncpg.Pool, group: str, n: int) -> bool:
    total = await pool.fetchval(
        "SELECT coalesce(sum(next_offset), 0) FROM consumer_offsets WHERE group_id = $1", group
    )
    return bool(total >= n)


@pytest.mark.usefixtures("editions_seeded")
async def test_an_exhibit_interest_starts_one_prefilled_application(
    store_pool: asyncpg.Pool,
    kafka: KafkaSettings,
    publisher: KafkaPublisher,
    topic: str,
    sealer: Sealer,
):
    exhibit = converted()
    without_name = converted(organizationName=None)
    unknown_edition = converted(edition="CISCE-1999")
    nobody = converted(interestId=None)
    # each interest its own record, all on one partition: consumed in this order
    key, visit, nameless, unknown, none = keys_on_one_partition(5, kafka.partitions)
    for k, record in [
        (key, exhibit), (visit, converted("VISIT")), (nameless, without_name), (key, exhibit),
        (unknown, unknown_edition), (none, nobody),
    ]:  # fmt: skip
        await publisher.publish(topic, [KafkaRecord(k, record.value, record.headers)])

    group = f"g-{uuid.uuid4()}"
    reactions = Reactions(FixedClock(STORY_TIME), sealer)
    for expected in (6, 7):
        stop = asyncio.Event()
        loop = ConsumerLoop(
            reader=READER,
            pool=store_pool,
            kafka=kafka,
            group_id=group,
            topics=[topic],
            handler=reactions,
            dead_letters=publisher,
            sealer=sealer,
        )
        running = asyncio.create_task(loop.run(stop))
        await eventually(lambda e=expected: applied(store_pool, group, e), what="consumed")
        stop.set()
        await running
        await publisher.publish(topic, [KafkaRecord(key, exhibit.value, exhibit.headers)])

    rows = await store_pool.fetch(
        "SELECT stream_id, data, metadata FROM events WHERE type = 'ApplicationSubmitted'"
    )
    assert len(rows) == 1
    data, meta = json.loads(rows[0]["data"]), json.loads(rows[0]["metadata"])
    sent = json.loads(exhibit.value)
    assert data["sourceInterestId"] == sent["interestId"]
    assert data["organizationId"] == sent["organizationId"]
    assert (data["companyName"], data["country"], data["supplyChainAreas"]) == (
        "Oakland AI Robotics",
        "US",
        ["DIGITAL_TECHNOLOGY"],
    )
    assert "Maya" not in rows[0]["data"]  # stored sealed; read back in the clear
    (loaded,) = await EventStore(store_pool, sealer).read_stream(rows[0]["stream_id"])
    assert loaded.data["contacts"] == [
        {"name": "Maya Chen", "email": "maya@oaklandai.example", "phone": None, "language": None}
    ]
    headers = dict(exhibit.headers)
    assert meta["causation_id"] == headers["ce_id"].decode()
    assert meta["correlation_id"] == "breakfast-oakland"

    refusals = await store_pool.fetch(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'ConversionRefused' ORDER BY position"
    )  # their reasons sealed under the interest's record
    refused = [e.data for e in await sealer.unseal_recorded([recorded_event(r) for r in refusals])]
    assert [(r["interestId"], r["code"]) for r in refused] == [
        (json.loads(without_name.value)["interestId"], "VALIDATION"),
        (json.loads(unknown_edition.value)["interestId"], "VALIDATION"),
    ]
    assert refused[0]["reason"] == "organizationName: Input should be a valid string"
    assert "unknown edition 'CISCE-1999'" in refused[1]["reason"]
    dead = await read_topic(kafka, dlq_topic(topic), lambda m: len(m) >= 1)
    assert [dict(m.headers)["dlq_error_type"].decode() for m in dead] == ["ValidationError"]
