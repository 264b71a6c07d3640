"""The offsets a consumer group stores with its effects (table consumer_offsets), and
the fence they make between instances of one group: a batch's transaction locks its
partitions' rows and goes on only if they still hold what the instance expects (another
instance that applied them since has moved them)."""

from aiokafka import TopicPartition

from pavilion_core.db import Connection, Pool

Offsets = dict[TopicPartition, int]

# Locks the batch's offset rows in one order (two instances cannot deadlock on them),
# waiting for an instance still applying one, and returns their latest values. A row
# not there yet is made at 0: from the beginning, as the loop expects of such one.
_LOCK_OFFSETS = """
INSERT INTO consumer_offsets AS o (group_id, topic, partition, next_offset)
SELECT $1, t, p, 0 FROM unnest($2::text[], $3::int[]) AS x(t, p) ORDER BY t, p
ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = o.next_offset
RETURNING topic, partition, next_offset"""
_STORE_OFFSETS = """
UPDATE consumer_offsets o SET next_offset = x.n, updated_at = now()
FROM unnest($2::text[], $3::int[], $4::bigint[]) AS x(t, p, n)
WHERE o.group_id = $1 AND o.topic = x.t AND o.partition = x.p"""


class OffsetsMoved(Exception):
    """Another instance applied some of the batch's partitions since this one sought."""

    def __init__(self, stored: Offsets) -> None:
        super().__init__(f"stored offsets moved: {stored}")
        self.stored = stored


async def check_offsets(conn: Connection, group: str, expected: Offsets) -> None:
    """Lock the offset rows of the batch's partitions until the transaction ends, and
    refuse the batch if another instance has moved one since this one sought."""
    rows = await conn.fetch(
        _LOCK_OFFSETS, group, [tp.topic for tp in expected], [tp.partition for tp in expected]
    )
    stored = {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
    if moved := {tp: at for tp, at in stored.items() if at != expected[tp]}:
        raise OffsetsMoved(moved)


async def store_offsets(conn: Connection, group: str, ends: Offsets) -> None:
    """The next offset to apply, per partition, within the batch's transaction."""
    await conn.execute(
        _STORE_OFFSETS,
        group,
        [tp.topic for tp in ends],
        [tp.partition for tp in ends],
        list(ends.values()),
    )


async def stored_offsets(db: "Pool | Connection", group: str) -> Offsets:
    """The next offset to apply, per partition, that `group` committed with its effects."""
    rows = await db.fetch(
        "SELECT topic, partition, next_offset FROM consumer_offsets WHERE group_id = $1", group
    )
    return {TopicPartition(r["topic"], r["partition"]): r["next_offset"] for r in rows}
