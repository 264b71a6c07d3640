"""A large event history for the replay (scenario 4), produced straight onto the topic:
appending a million events through the API would take the whole run.

Each application gets the seven events of its usual life — submitted, review started,
approved, contract issued and signed, paid, confirmed — in editions of 500 applications
("BENCH-0001", ...), so the history has the shape the projector meets in production
(one insert, then updates of the same row) without touching the edition the queries
read. The messages are exactly what the relay would publish (envelope.to_kafka)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pavilion_core.config import KafkaSettings
from pavilion_core.envelope import RecordedEvent, to_kafka
from pavilion_core.kafka import new_producer

PER_EDITION = 500
AT = datetime(2025, 12, 1, 9, tzinfo=UTC)


def life(n: int) -> list[tuple[str, dict[str, Any]]]:
    """The types and data of application `n`'s seven events."""
    amount = 1_200_000 + n % 7 * 100_000
    return [
        (
            "ApplicationSubmitted",
            {
                "edition": f"BENCH-{n // PER_EDITION + 1:04d}",
                "companyName": f"History Company {n:07d}",
                "country": ["DE", "CN", "US", "FR", "JP", "BR", "KE"][n % 7],
                "supplyChainAreas": ["CLEAN_ENERGY", "SMART_VEHICLES"][: 1 + n % 2],
                "productCategories": ["batteries"],
                "contacts": [{"name": "History Contact", "email": f"h{n}@bench.example"}],
                "organizationId": None,
                "sourceInterestId": None,
                "previousEditions": n % 3,
                "boothSizeSqm": 18,
            },
        ),
        ("ReviewStarted", {}),
        ("ApplicationApproved", {}),
        ("ContractIssued", {"amount": amount, "currency": "CNY", "dueDate": "2026-03-01"}),
        ("ContractSigned", {}),
        (
            "PaymentRecorded",
            {"amount": amount, "currency": "CNY", "reference": f"R{n}", "paidTotal": amount},
        ),
        ("ParticipationConfirmed", {}),
    ]


def events(count: int, steps: int = 7) -> Iterator[RecordedEvent]:
    """`count` events: the first `steps` of each life, the last one cut short."""
    n = 0
    while count > 0:
        stream = str(uuid.uuid4())
        for version, (kind, data) in enumerate(life(n)[: min(steps, count)], start=1):
            yield RecordedEvent(
                event_id=uuid.uuid4(),
                stream_id=stream,
                version=version,
                position=0,
                type=kind,
                schema_version=1,
                data={"applicationId": stream, **data},
                metadata={"correlation_id": f"bench-history-{n}", "actor": "bench"},
                recorded_at=AT,
            )
        count -= min(count, steps)
        n += 1


async def produce(kafka: KafkaSettings, topic: str, count: int, steps: int = 7) -> int:
    """Put `count` history events (`steps` per application) on `topic`, as the relay
    would; the bytes of their keys, values and headers."""
    producer = new_producer(kafka, "bench-history")
    await producer.start()
    size = 0
    try:
        for event in events(count, steps):
            record = to_kafka(event, "exhibitors")
            await producer.send(topic, record.value, key=record.key, headers=record.headers)
            size += len(record.value) + len(record.key)
            size += sum(len(k) + len(v) for k, v in record.headers)
        await producer.flush()
    finally:
        await producer.stop()
    return size
