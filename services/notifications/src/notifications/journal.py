"""The service's own events, appended to its event store for the relay to publish."""

from pavilion_core.aggregate import Event
from pavilion_core.db import Connection
from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import StreamAppend
from pavilion_core.pgstore import append_in


async def append_event(conn: Connection, stream: str, meta: Metadata, event: Event) -> int:
    """Append one event to `stream` (any version: only this service writes it); returns
    the stream's new version, which callers hand on for read-your-writes waits."""
    result = await append_in(conn, [StreamAppend(stream, [event.to_new_event()], None)], meta)
    return result.version
