"""Parking: a message that a consumer group cannot apply waits in the group's database,
and so does every later message of the same record (the same topic and Kafka key), in
the order consumed, until a redrive applies them. No record's history is ever applied out of
order or with a gap, and the other records flow on. A consumer loop parks in the
transaction that stores the batch's offsets: a message is parked exactly once.

A redrive is asked for by an operator (`pavilion parked redrive`, which marks the rows)
and carried out by the group's own consumer with its own handler: each record's parked
sequence in order; the first message that fails again stays parked, the rest behind it.

A consumer whose handler commits its own transactions (the notifications app) parks
and redrives message by message (`park_if_held`, `park`, `redrive_each`): its
handler's effects must be idempotent, as a redrive interrupted after one of them is
done again.

Why a message is parked says its error's type and code (pavilion_core.logging.describe),
never its message, which may quote the personal data of the record at hand.
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass

from aiokafka import ConsumerRecord

from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import CloudEvent, Headers
from pavilion_core.logging import describe
from pavilion_core.metrics import PARKED
from pavilion_core.outages import transient

Record = tuple[str, bytes]  # topic, key
Apply = Callable[[CloudEvent], Awaitable[None]]
# A message as its consumer reads it: decoded, its personal values unsealed
# (pavilion_core.personal.Sealer.decode).
Decode = Callable[[bytes | None, Headers], Awaitable[CloudEvent]]

_PARKED_RECORDS = """
SELECT DISTINCT topic, record_key FROM parked_messages
WHERE group_id = $1 AND (topic, record_key) IN (SELECT * FROM unnest($2::text[], $3::bytea[]))"""
_PARK = """
INSERT INTO parked_messages (group_id, topic, partition, kafka_offset, record_key, value,
                             header_keys, header_values, error_type, error_message)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT DO NOTHING"""
_REQUESTED = """
SELECT DISTINCT topic, partition, record_key FROM parked_messages
WHERE group_id = $1 AND redrive_requested_at IS NOT NULL"""
_SEQUENCE = """
SELECT partition, kafka_offset, value, header_keys, header_values FROM parked_messages
WHERE group_id = $1 AND topic = $2 AND record_key = $3
ORDER BY seq FOR UPDATE"""
_UNPARK = """DELETE FROM parked_messages
WHERE group_id = $1 AND topic = $2 AND partition = $3 AND kafka_offset = $4"""
_FAILED_AGAIN = """
UPDATE parked_messages SET redrive_requested_at = NULL,
  error_type = CASE WHEN (partition, kafka_offset) = ($4, $5) THEN $6 ELSE error_type END,
  error_message = CASE WHEN (partition, kafka_offset) = ($4, $5) THEN $7 ELSE error_message END
WHERE group_id = $1 AND topic = $2 AND record_key = $3"""


@dataclass(frozen=True)
class Parked:
    """`message`, parked because it failed with `error` (None: parked behind an earlier
    message of its record)."""

    message: ConsumerRecord
    error: Exception | None


def record_of(message: ConsumerRecord) -> Record:
    """The record a message belongs to (Pavilion keys every message by its stream; those
    without a key count as one record of their topic)."""
    return message.topic, bytes(message.key or b"")


async def parked_records(
    conn: Connection, group: str, messages: Iterable[ConsumerRecord]
) -> set[Record]:
    """The records among those of `messages` that have messages parked."""
    records = {record_of(m) for m in messages}
    if not records:
        return set()
    rows = await conn.fetch(
        _PARKED_RECORDS, group, [t for t, _ in records], [k for _, k in records]
    )
    return {(r["topic"], bytes(r["record_key"])) for r in rows}


async def park(conn: Connection, group: str, parked: Sequence[Parked]) -> None:
    if not parked:
        return
    await conn.executemany(
        _PARK,
        [
            (
                group,
                p.message.topic,
                p.message.partition,
                p.message.offset,
                record_of(p.message)[1],
                p.message.value,
                [k.encode() for k, _ in p.message.headers or ()],
                [bytes(v) for _, v in p.message.headers or ()],
                type(p.error).__name__ if p.error else None,
                describe(p.error) if p.error else None,
            )
            for p in parked
        ],
    )


async def redrive_requested(db: "Pool | Connection", group: str) -> list[tuple[str, int, bytes]]:
    """(topic, partition, key) of the records whose redrive an operator asked for."""
    rows = await db.fetch(_REQUESTED, group)
    return [(r["topic"], r["partition"], bytes(r["record_key"])) for r in rows]


async def redrive(
    conn: Connection,
    group: str,
    record: Record,
    apply: Apply,
    decode: Decode,
    retry: Callable[[BaseException], bool] = transient,
) -> int:
    """Apply `record`'s parked messages in order through `apply` (each decoded by
    `reader`: an upgraded consumer reads what it parked as too new), each on a savepoint,
    unparking each one applied, within the caller's transaction (which holds the
    record's lock: none of its messages is parked meanwhile, see `park_if_held`), and
    those parked while it ran too. A failure that `retry` says is not the message's is
    raised (the redrive is tried again); the first message that fails otherwise stays
    parked with the rest behind it, its new error recorded and the redrive request withdrawn.
    Returns how many were applied."""
    topic, key = record
    await _lock(conn, group, record)
    applied = 0
    while rows := await conn.fetch(_SEQUENCE, group, topic, key):
        for row in rows:
            try:
                async with conn.transaction():
                    headers = zip(row["header_keys"], row["header_values"], strict=True)
                    event = await decode(
                        row["value"], [(k.decode(errors="replace"), v) for k, v in headers]
                    )
                    await apply(event)
            except Exception as exc:
                if retry(exc):
                    raise
                await conn.execute(
                    _FAILED_AGAIN,
                    group,
                    topic,
                    key,
                    row["partition"],
                    row["kafka_offset"],
                    type(exc).__name__,
                    describe(exc),
                )
                return applied
            await conn.execute(_UNPARK, group, topic, row["partition"], row["kafka_offset"])
            applied += 1
    return applied


async def _lock(conn: Connection, group: str, record: Record) -> None:
    """The record's lock, until the transaction ends."""
    topic, key = record
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", f"{group}/{topic}/{key.hex()}"
    )


async def park_if_held(pool: Pool, group: str, message: ConsumerRecord) -> bool:
    """Park `message` if its record has messages parked (it must wait behind them), and
    say whether it did; under the record's lock, so that a redrive running meanwhile
    is waited for (and then the message is applied as usual)."""
    async with pool.acquire() as conn, conn.transaction():
        await _lock(conn, group, record_of(message))
        if not await parked_records(conn, group, [message]):
            return False
        await park(conn, group, [Parked(message, None)])
        return True


async def redrive_each(pool: Pool, group: str, apply: Apply, decode: Decode) -> int:
    """Redrive each record whose redrive was asked for, in a transaction of its own (its
    parked rows locked, `apply` committing its own effects); returns how many messages
    were applied."""
    applied = 0
    for topic, _, key in await redrive_requested(pool, group):
        async with pool.acquire() as conn, conn.transaction():
            applied += await redrive(conn, group, (topic, key), apply, decode)
    return applied


async def request_redrive(db: "Pool | Connection", group: str, key: bytes | None = None) -> int:
    """Ask `group`'s consumer to redrive its parked records (only `key`'s if given);
    returns how many parked messages the request covers."""
    status = await db.execute(
        """UPDATE parked_messages SET redrive_requested_at = now()
           WHERE group_id = $1 AND ($2::bytea IS NULL OR record_key = $2)""",
        group,
        key,
    )
    return int(status.split()[-1])


@dataclass(frozen=True)
class ParkedSummary:
    group: str
    records: int
    messages: int
    redrive_requested: int
    oldest_error: str | None


async def summary(db: "Pool | Connection") -> list[ParkedSummary]:
    """What each consumer group of this database has parked."""
    rows = await db.fetch(
        """SELECT group_id, count(DISTINCT (topic, record_key)) AS records, count(*) AS messages,
                  count(redrive_requested_at) AS requested,
                  (array_agg(error_message ORDER BY seq)
                     FILTER (WHERE error_type IS NOT NULL))[1] AS oldest_error
           FROM parked_messages GROUP BY group_id ORDER BY group_id"""
    )
    return [
        ParkedSummary(r["group_id"], r["records"], r["messages"], r["requested"], r["oldest_error"])
        for r in rows
    ]


_GAUGED: set[str] = set()


async def refresh_gauge(db: "Pool | Connection") -> None:
    """The parked-messages gauge of each group of this database (back to 0 for a group
    whose messages were all redriven)."""
    found = {s.group: s.messages for s in await summary(db)}
    for group in _GAUGED | found.keys():
        PARKED.labels(group).set(found.get(group, 0))
    _GAUGED.update(found)
