"""The service's own events, appended to its event store for the relay to publish, their
personal values sealed (pavilion_core.personal)."""

from collections.abc import Sequence

from pavilion_contracts.notifications.upcasters import UPCASTERS
from pavilion_contracts.personal import declaration
from pavilion_core.aggregate import Event
from pavilion_core.db import Connection, Pool
from pavilion_core.envelope import Metadata
from pavilion_core.eventstore import AppendResult, IdempotencyKey, StreamAppend
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import append_in, find_idempotent


async def append_event(
    conn: Connection,
    stream: str,
    meta: Metadata,
    event: Event,
    once: IdempotencyKey | None = None,
    *,
    sealer: Sealer | None = None,
) -> int:
    """Append one event to `stream` (any version: only this service writes it), and the
    request's idempotency key with it, in its transaction, so that a retry finds the
    first result; returns the stream's new version, which callers hand on for
    read-your-writes waits. An event whose contract declares personal values needs the
    `sealer` (refused without one: never stored in the clear)."""
    new = event.to_new_event(UPCASTERS)
    appends = [StreamAppend(stream, [new], None)]
    if sealer is not None:
        appends = await sealer.seal_appends(appends)
    elif f"{new.type}.v{new.schema_version}" in declaration():
        raise TypeError(f"{new.type} holds personal values: append it with a sealer")
    result = await append_in(conn, appends, meta, once)
    return result.version


async def first_result(pool: Pool, once: IdempotencyKey | None) -> AppendResult | None:
    """What the first request with this key appended, if there was one."""
    return await find_idempotent(pool, once) if once else None


Journal = list[tuple[str, Metadata, Event]]  # (stream, metadata, event) to append


async def append_events(
    conn: Connection, entries: Sequence[tuple[str, Metadata, Event]], sealer: Sealer
) -> None:
    """Append each (stream, metadata, event), their personal values sealed together (one
    vault round trip for them all), in the caller's transaction."""
    if not entries:
        return
    sealed = await sealer.seal_appends(
        [
            StreamAppend(stream, [event.to_new_event(UPCASTERS)], None)
            for stream, _, event in entries
        ]
    )
    for (_, meta, _), append in zip(entries, sealed, strict=True):
        await append_in(conn, [append], meta)
