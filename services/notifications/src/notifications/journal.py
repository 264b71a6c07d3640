"""The service's own events, appended to its event store for the relay to publish."""

from dataclasses import dataclass

from pavilion_core.aggregate import Event
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import AppendResult, StreamAppend
from pavilion_core.pgstore import append_in, find_idempotent


@dataclass(frozen=True)
class Once:
    """A request's idempotency key and the fingerprint of the request: recorded with the
    event the request appends, in its transaction, so that a retry finds the first
    result (and the same key for another request is refused)."""

    key: str
    fingerprint: str


async def append_event(
    conn: Connection, stream: str, meta: Metadata, event: Event, once: Once | None = None
) -> int:
    """Append one event to `stream` (any version: only this service writes it); returns
    the stream's new version, which callers hand on for read-your-writes waits."""
    appends = [StreamAppend(stream, [event.to_new_event()], None)]
    key, fingerprint = (once.key, once.fingerprint) if once else (None, "")
    result = await append_in(conn, appends, meta, key, fingerprint)
    return result.version


async def first_result(pool: Pool, once: Once | None) -> AppendResult | None:
    """What the first request with this key appended, if there was one."""
    return await find_idempotent(pool, once.key, once.fingerprint) if once else None
