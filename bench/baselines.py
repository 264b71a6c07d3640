"""The same-run baselines: what PostgreSQL, Kafka and the ASGI server stack can do on
this machine, with nothing of Pavilion in the way."""

import json
import time
import uuid
from pathlib import Path

import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import offset_ranges, partitions

from bench import stack
from bench.measure import Figure, drive, summary

EVENT_DATA = json.dumps(
    {
        "applicationId": str(uuid.uuid4()),
        "companyName": "x" * 300,
        "country": "DE",
        "supplyChainAreas": ["CLEAN_ENERGY"],
    }
)


async def copy(rows: int) -> Figure:
    """B_copy: asyncpg COPY of event-shaped rows (~500 B JSON) into a scratch table."""
    async with stack.database("copy") as url:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(
                """CREATE TABLE scratch (id uuid, stream text, version int, type text,
                                         data jsonb, at timestamptz DEFAULT now())"""
            )
            records = [
                (uuid.uuid4(), f"s-{i % 1000}", i, "ApplicationSubmitted", EVENT_DATA)
                for i in range(rows)
            ]
            started = time.perf_counter()
            await conn.copy_records_to_table(
                "scratch", records=records, columns=["id", "stream", "version", "type", "data"]
            )
            seconds = time.perf_counter() - started
        finally:
            await conn.close()
    return Figure("B_copy", rows / seconds, "rows/s", extra={"rows": rows})


async def kafka(kafka: KafkaSettings, messages: int) -> tuple[Figure, Figure]:
    """B_kafka: raw aiokafka produce (idempotent, acks=all, as the relay) and consume of
    1 KB messages on a scratch topic."""
    topic = await stack.topic(kafka, "raw")
    value = b"x" * 1024
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        max_batch_size=256 * 1024,
    )
    await producer.start()
    try:
        started = time.perf_counter()
        for i in range(messages):
            await producer.send(topic, value, key=str(i % 500).encode())
        await producer.flush()
        produced = time.perf_counter() - started
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=kafka.bootstrap, enable_auto_commit=False, fetch_max_bytes=8 << 20
    )
    await consumer.start()
    try:
        tps = await partitions(kafka, [topic])
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        total, started = 0, time.perf_counter()
        while total < messages:
            batch = await consumer.getmany(timeout_ms=1000, max_records=10_000)
            total += sum(len(ms) for ms in batch.values())
        consumed = time.perf_counter() - started
    finally:
        await consumer.stop()
    assert sum(e - s for s, e in (await offset_ranges(kafka, tps)).values()) == messages
    return (
        Figure("B_kafka produce", messages / produced, "msgs/s", extra={"messages": messages}),
        Figure("B_kafka consume", messages / consumed, "msgs/s", extra={"messages": messages}),
    )


async def asgi(requests: int, concurrency: int, logs: Path) -> Figure:
    """B_asgi: a trivial ASGI app on uvicorn (the gateway's server), `concurrency` clients."""
    port = stack.free_port()
    args = ["-m", "uvicorn", "bench.trivial:app", "--port", str(port), "--log-level", "warning"]
    url = f"http://127.0.0.1:{port}/"
    async with stack.process(args, {}, url, logs / "asgi.log"):
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as http:

            async def one(_: int) -> None:
                response = await http.get(url)
                assert response.status_code == 200

            seconds, latencies = await drive(requests, concurrency, one)
    return Figure("B_asgi", requests / seconds, "req/s", extra=summary(latencies))
