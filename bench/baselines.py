"""The same-run baselines: what PostgreSQL, Kafka and the ASGI server stack can do on
this machine, with nothing of Pavilion in the way."""

import json
import time
import uuid
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from pavilion_core.config import KafkaSettings
from pavilion_core.kafka import new_producer, offset_ranges, partitions

from bench import stack
from bench.cpu import cpu
from bench.load import wrk
from bench.measure import Figure, latency, median, percentile

ROOT = Path(__file__).parent.parent
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
    """B_kafka: raw aiokafka produce (the relay's producer: idempotent, acks=all) and
    consume of 1 KB messages on a scratch topic."""
    topic = await stack.topic(kafka, "raw")
    value = b"x" * 1024
    producer = new_producer(kafka, "bench")
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
        **kafka.client_options(), enable_auto_commit=False, fetch_max_bytes=8 << 20
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


async def asgi(seconds: float, connections: int, rounds: int, logs: Path) -> Figure:
    """B_asgi: a trivial ASGI app on the gateway's server stack (uvicorn, uvloop,
    httptools), `connections` clients, `rounds` wrk runs."""
    port = stack.free_port()
    args = ["-m", "uvicorn", "bench.trivial:app", "--port", str(port), "--log-level", "warning"]
    args += ["--loop", "uvloop", "--http", "httptools", "--app-dir", str(ROOT)]
    url = f"http://127.0.0.1:{port}/"
    loads = []
    async with stack.process(args, {}, url, logs / "asgi.log") as server:
        for _ in range(rounds):
            async with cpu({"server": server.pid}) as used:
                load = await wrk(url, seconds=seconds, connections=connections)
            used.seconds["wrk"] = load["cpu_s"]
            loads.append(
                (
                    load["requests"] / load["seconds"],
                    {**latency(load), **used.per(load["requests"])},
                )
            )
    return median("B_asgi", "req/s", loads)


async def kafka_latency(kafka: KafkaSettings, samples: int) -> Figure:
    """B_kafka latency: one message at a time (acks=all) from a producer to a consumer
    that waits for it — the least any path through Kafka can take; p50 in ms."""
    topic = await stack.topic(kafka, "ping")
    producer = AIOKafkaProducer(**kafka.client_options(), acks="all", linger_ms=0)
    consumer = AIOKafkaConsumer(**kafka.client_options(), fetch_max_wait_ms=500)
    await producer.start()
    await consumer.start()
    try:
        tps = await partitions(kafka, [topic])
        consumer.assign(tps)
        await consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end positions before the first message is sent
            await consumer.position(tp)
        rounds = []
        for i in range(samples):
            started = time.perf_counter()
            await producer.send(topic, b"ping", partition=i % len(tps))
            await consumer.getone()
            rounds.append((time.perf_counter() - started) * 1000)
    finally:
        await consumer.stop()
        await producer.stop()
    return Figure(
        "B_kafka latency",
        percentile(rounds, 50),
        "ms",
        extra={"p99_ms": round(percentile(rounds, 99), 2), "samples": samples},
    )
