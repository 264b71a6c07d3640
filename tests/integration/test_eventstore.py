"""The event store contract, run against the real PostgreSQL store and the in-memory
fake alike, plus what only the real one can show (concurrent writers)."""

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta

import asyncpg
import pytest
from pavilion_core.envelope import Metadata, NewEvent
from pavilion_core.eventstore import (
    CommandContext,
    EventStorePort,
    IdempotencyKeyReused,
    Load,
    StreamAppend,
    StreamOrderingConflict,
    WrongExpectedVersion,
    request_hash,
)
from pavilion_core.personal import Sealer
from pavilion_core.pgstore import EventStore, append_in
from pavilion_core.testing import InMemoryEventStore

META = Metadata(correlation_id="test", actor="tester")


@pytest.fixture(params=["postgres", "memory"])
def any_store(request: pytest.FixtureRequest) -> EventStorePort:
    if request.param == "memory":
        return InMemoryEventStore()
    store: EventStore = request.getfixturevalue("store")
    return store


@pytest.fixture(params=["postgres", "memory"])
def forgetful_store(request: pytest.FixtureRequest) -> EventStorePort:
    """A store that keeps idempotency keys for no time at all: each has expired by the
    time its command has committed."""
    if request.param == "memory":
        return InMemoryEventStore(key_retention=timedelta(0))
    pool, sealer = request.getfixturevalue("store_pool"), request.getfixturevalue("sealer")
    return EventStore(pool, sealer, key_retention=timedelta(0))


def event(n: int = 0) -> NewEvent:
    return NewEvent("Happened", {"n": n})


async def test_twenty_concurrent_appends_at_one_version_let_exactly_one_through(store: EventStore):
    stream = f"s-{uuid.uuid4()}"
    await store.append(stream, [event()], expected_version=0, metadata=META)

    outcomes = await asyncio.gather(
        *(store.append(stream, [event(i)], expected_version=1, metadata=META) for i in range(20)),
        return_exceptions=True,
    )

    winners = [o for o in outcomes if not isinstance(o, BaseException)]
    conflicts = [o for o in outcomes if isinstance(o, WrongExpectedVersion)]
    assert len(winners) == 1 and len(conflicts) == 19
    assert all(c.expected == 1 and c.actual == 2 for c in conflicts)
    history = await store.read_stream(stream)
    assert [e.version for e in history] == [1, 2]
    assert winners[0].event_ids == [str(history[1].event_id)]


async def test_a_stale_or_ahead_expected_version_is_a_typed_conflict(any_store: EventStorePort):
    stream = f"s-{uuid.uuid4()}"
    await any_store.append(stream, [event(), event()], expected_version=0, metadata=META)
    for expected in (0, 1, 5):
        with pytest.raises(WrongExpectedVersion) as caught:
            await any_store.append(stream, [event()], expected_version=expected, metadata=META)
        assert caught.value.actual == 2
    assert len(await any_store.read_stream(stream)) == 2


async def test_a_version_expected_of_a_stream_that_does_not_exist_is_a_typed_conflict(
    any_store: EventStorePort,
):
    stream = f"s-{uuid.uuid4()}"
    with pytest.raises(WrongExpectedVersion) as caught:
        await any_store.append(stream, [event()], expected_version=3, metadata=META)
    assert (caught.value.expected, caught.value.actual) == (3, 0)
    assert await any_store.read_stream(stream) == []
    await any_store.append(stream, [event()], expected_version=0, metadata=META)  # still new


async def test_an_append_by_a_transaction_older_than_the_streams_last_writer_is_refused(
    store: EventStore, store_pool: asyncpg.Pool
):
    """Per-stream order for the relay's fence (pgstore): the older transaction must
    retry in a new one, and appends nothing meanwhile."""
    stream = f"s-{uuid.uuid4()}"
    await store.append(stream, [event(1)], expected_version=0, metadata=META)
    async with store_pool.acquire() as older, older.transaction():
        await older.execute("SELECT pg_current_xact_id()")  # its id, before the next append
        await store.append(stream, [event(2)], expected_version=1, metadata=META)
        for expected in (2, None):
            with pytest.raises(StreamOrderingConflict):
                await append_in(older, [StreamAppend(stream, [event(3)], expected)], META)
    assert [e.data["n"] for e in await store.read_stream(stream)] == [1, 2]


async def test_events_carry_ids_positions_and_metadata(any_store: EventStorePort):
    stream = f"s-{uuid.uuid4()}"
    meta = Metadata(correlation_id="corr-1", causation_id="cause-1", actor="alice")
    result = await any_store.append(
        stream, [event(1), event(2)], expected_version=None, metadata=meta
    )
    history = await any_store.read_stream(stream)
    assert [str(e.event_id) for e in history] == result.event_ids
    assert [e.position for e in history] == result.positions
    assert result.positions[0] < result.positions[1]
    assert history[0].metadata == {
        "correlation_id": "corr-1",
        "causation_id": "cause-1",
        "actor": "alice",
    }


async def test_streams_are_found_by_the_prefix_of_their_ids(any_store: EventStorePort):
    prefix = f"plan:{uuid.uuid4()}:"
    for hall in ("H2", "H1", "H1-B"):
        await any_store.append(f"{prefix}{hall}", [event()], expected_version=0, metadata=META)
    await any_store.append(f"{prefix[:-1]}x", [event()], expected_version=0, metadata=META)
    found = await any_store.stream_ids(prefix)
    assert found == [f"{prefix}H1", f"{prefix}H1-B", f"{prefix}H2"]
    assert await any_store.stream_ids(f"{prefix}nothing") == []


async def test_the_same_idempotency_key_twice_appends_once_and_returns_the_same_result(
    any_store: EventStorePort,
):
    stream = f"s-{uuid.uuid4()}"
    ctx = CommandContext(
        META, idempotency_key=f"k-{uuid.uuid4()}", fingerprint=request_hash({"a": 1})
    )

    first = await any_store.execute(stream, lambda history: [event(len(history))], ctx)
    again = await any_store.execute(stream, lambda history: [event(len(history))], ctx)

    assert again == replace(first, replayed=True) and not first.replayed
    assert len(await any_store.read_stream(stream)) == 1


async def test_concurrent_retries_with_one_key_append_once(store: EventStore):
    stream = f"s-{uuid.uuid4()}"
    ctx = CommandContext(META, idempotency_key=f"k-{uuid.uuid4()}", fingerprint="same")
    results = await asyncio.gather(
        *(store.execute(stream, lambda history: [event(len(history))], ctx) for _ in range(8))
    )
    assert len({r.event_ids[0] for r in results}) == 1
    assert len(await store.read_stream(stream)) == 1


async def test_a_key_reused_for_a_different_request_is_refused(any_store: EventStorePort):
    key = f"k-{uuid.uuid4()}"
    await any_store.execute(
        f"s-{uuid.uuid4()}", lambda h: [event()], CommandContext(META, None, key, "a")
    )
    with pytest.raises(IdempotencyKeyReused):
        await any_store.execute(
            f"s-{uuid.uuid4()}", lambda h: [event()], CommandContext(META, None, key, "b")
        )


async def test_one_key_sent_by_two_callers_is_two_requests(any_store: EventStorePort):
    key = f"k-{uuid.uuid4()}"
    alice = CommandContext(replace(META, actor="staff:alice"), None, key, "same request")
    bob = CommandContext(replace(META, actor="staff:bob"), None, key, "same request")
    ours, theirs = f"s-{uuid.uuid4()}", f"s-{uuid.uuid4()}"

    first = await any_store.execute(ours, lambda h: [event()], alice)
    second = await any_store.execute(theirs, lambda h: [event()], bob)

    assert not second.replayed and second.stream_id == theirs
    assert len(await any_store.read_stream(theirs)) == 1
    again = await any_store.execute(ours, lambda h: [event()], alice)
    assert again == replace(first, replayed=True)
    assert await any_store.execute(theirs, lambda h: [event()], bob) == replace(
        second, replayed=True
    )


async def test_an_expired_key_is_a_new_request(forgetful_store: EventStorePort):
    stream = f"s-{uuid.uuid4()}"
    ctx = CommandContext(META, None, f"k-{uuid.uuid4()}", "same request")
    first = await forgetful_store.execute(stream, lambda h: [event(len(h))], ctx)
    again = await forgetful_store.execute(stream, lambda h: [event(len(h))], ctx)
    assert not again.replayed and again.version == first.version + 1
    assert len(await forgetful_store.read_stream(stream)) == 2


async def test_keys_are_kept_for_the_retention_and_expired_ones_purged(
    store_pool: asyncpg.Pool, sealer: Sealer
):
    kept = EventStore(store_pool, sealer, key_retention=timedelta(hours=24))
    await kept.execute(
        f"s-{uuid.uuid4()}", lambda h: [event()], CommandContext(META, None, "k", "")
    )
    life = await store_pool.fetchval("SELECT expires_at - created_at FROM idempotency_keys")
    assert life == timedelta(hours=24)

    forgetful = EventStore(store_pool, sealer, key_retention=timedelta(0))
    for n in range(5):  # each new key takes expired ones with it
        ctx = CommandContext(META, None, f"gone-{n}", "")
        await forgetful.execute(f"s-{uuid.uuid4()}", lambda h: [event()], ctx)
    left = await store_pool.fetch("SELECT key FROM idempotency_keys ORDER BY key")
    assert [row["key"] for row in left] == ["gone-4", "k"]


async def test_a_failed_decision_appends_nothing_and_keeps_the_key_free(any_store: EventStorePort):
    stream, key = f"s-{uuid.uuid4()}", f"k-{uuid.uuid4()}"

    def refuse(history: object) -> list[NewEvent]:
        raise ValueError("no")

    with pytest.raises(ValueError):
        await any_store.execute(stream, refuse, CommandContext(META, None, key, "x"))
    assert await any_store.read_stream(stream) == []
    await any_store.execute(stream, lambda h: [event()], CommandContext(META, None, key, "x"))
    assert len(await any_store.read_stream(stream)) == 1


async def test_an_append_to_several_streams_is_all_or_nothing(any_store: EventStorePort):
    a, b = f"a-{uuid.uuid4()}", f"b-{uuid.uuid4()}"
    await any_store.append(b, [event()], expected_version=0, metadata=META)

    with pytest.raises(WrongExpectedVersion) as stale:
        await any_store.append_many(
            [StreamAppend(a, [event()], 0), StreamAppend(b, [event()], 0)], META
        )
    assert stale.value.stream_id == b
    assert await any_store.read_stream(a) == []

    result = await any_store.append_many(
        [StreamAppend(a, [event()], 0), StreamAppend(b, [event()], 1)], META
    )
    assert (result.stream_id, result.version) == (a, 1)
    assert len(await any_store.read_stream(b)) == 2


async def test_a_command_over_several_streams_decides_again_when_another_one_moved(
    any_store: EventStorePort,
):
    primary, shared = f"p-{uuid.uuid4()}", f"shared-{uuid.uuid4()}"
    plans = 0

    async def plan(load: Load) -> dict[str, list[NewEvent]]:
        nonlocal plans
        plans += 1
        await load(primary)
        seen = len(await load(shared))
        if plans == 1:  # someone else writes the shared stream meanwhile
            await any_store.append(shared, [event()], expected_version=None, metadata=META)
        return {primary: [event(seen)], shared: [event(seen)]}

    result = await any_store.execute_many(primary, plan, CommandContext(META))

    assert plans == 2
    assert result.streams == {primary: 1, shared: 2}  # every stream it wrote
    assert [e.data["n"] for e in await any_store.read_stream(primary)] == [1]
    assert len(await any_store.read_stream(shared)) == 2


async def test_a_pinned_version_on_the_primary_stream_is_not_retried(any_store: EventStorePort):
    stream = f"p-{uuid.uuid4()}"
    await any_store.append(stream, [event()], expected_version=0, metadata=META)
    with pytest.raises(WrongExpectedVersion):
        await any_store.execute(stream, lambda h: [event()], CommandContext(META, 0))


async def test_a_pinned_version_followed_by_bookkeeping_only_is_not_stale(
    any_store: EventStorePort,
):
    """Events the system records about a record (a follow-up announced overdue) do not
    make a caller's version stale, before the command or while it decides; any other
    change after it, and a version ahead, still do."""
    stream, noticed = f"p-{uuid.uuid4()}", NewEvent("Noticed", {})
    await any_store.append(stream, [event()], expected_version=0, metadata=META)
    await any_store.append(stream, [noticed], expected_version=1, metadata=META)
    plans = 0

    async def plan(load: Load) -> dict[str, list[NewEvent]]:
        nonlocal plans
        plans += 1
        seen = len(await load(stream))
        if plans == 1:  # noticed again while this one decides
            await any_store.append(stream, [noticed], expected_version=seen, metadata=META)
        return {stream: [event(seen)]}

    result = await any_store.execute_many(stream, plan, CommandContext(META, 1), {"Noticed"})
    assert (plans, result.version) == (2, 4)
    assert [e.type for e in await any_store.read_stream(stream)][-1] == "Happened"

    for stale in (3, 5):  # before a change that is not bookkeeping; ahead
        with pytest.raises(WrongExpectedVersion):
            await any_store.execute_many(stream, plan, CommandContext(META, stale), {"Noticed"})
    with pytest.raises(WrongExpectedVersion):  # without naming it bookkeeping
        await any_store.execute_many(stream, plan, CommandContext(META, 1))
