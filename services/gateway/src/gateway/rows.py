"""The one way projections change a record's row: its columns, and the version of the
event that changed it. A row is changed only by an event of a later version than the
one it holds: a redelivered or older event changes nothing. (Inserts of a record's
first event do nothing if the row is there.)"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson
from pavilion_contracts.reader import READER
from pavilion_core.envelope import CloudEvent


class Writer(Protocol):
    """What a projection writes through: a connection, or the projector's batch (which
    collects the statements of many events and runs each kind once, for all of them)."""

    async def execute(self, query: str, *args: object) -> str: ...


Apply = Callable[[Writer, CloudEvent], Awaitable[None]]


async def update(
    conn: Writer, table: str, key: object, event: CloudEvent, assignments: str, *values: object
) -> None:
    """Set `assignments` ($4… are `values`) on row `key` of `table` (the event's own
    stream), unless the row holds this version or a later one."""
    await conn.execute(
        f"""UPDATE {table} SET {assignments + ", " if assignments else ""}version = $2,
                                  updated_at = $3
            WHERE id = $1 AND version < $2""",
        key,
        event.stream_version,
        event.time,
        *values,
    )


def jsonb(value: Any) -> str:
    """`value` as the JSON text of a jsonb parameter (orjson: the stdlib's encoder was a
    tenth of a replay's CPU)."""
    return orjson.dumps(value).decode()


def typed(source: str, appliers: dict[str, Apply]) -> dict[str, Apply]:
    """Appliers keyed by their CloudEvents type as read (the latest version), e.g.
    pavilion.outreach.TripStarted.v1."""
    return {READER.ce_type(source, name): apply for name, apply in appliers.items()}


async def timeline_only(conn: Writer, event: CloudEvent) -> None:
    """The event's timeline entry is its whole projection."""
