"""Riding out a dependency that went away: which errors mean "PostgreSQL or Kafka is not
there right now", the capped exponential backoff with jitter every retry waits by, and
the loop that keeps a worker alive across such outages, however long.

A worker is restarted from the top (its pool, producer and LISTEN connection opened
afresh, its checkpoint or stored offsets read again: a catch-up of whatever happened
while it was away); an HTTP API keeps serving and answers 503 UNAVAILABLE meanwhile.
"""

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
from aiokafka.errors import KafkaError

from pavilion_core.logging import describe

log = logging.getLogger(__name__)

# PostgreSQL unreachable, restarting, shutting down or out of connections; the network.
DATABASE_DOWN: tuple[type[Exception], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    # The server shutting down, crashed, starting, or ending an idle session; not the
    # rest of the class (57): a statement cancelled by its timeout is no outage.
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.CrashShutdownError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.IdleSessionTimeoutError,
    asyncpg.exceptions.InsufficientResourcesError,
    # What asyncpg raises on a pooled connection the server has just cut, its closing
    # message read but not yet its end ("another operation is in progress"); the pool
    # drops the connection.
    asyncpg.InternalClientError,
)
# ... or the broker.
DEPENDENCY_DOWN = (*DATABASE_DOWN, KafkaError)
# Kinds of the classes above that are the work's own fault, no outage: asyncpg's
# refusals of what it was asked (a value that does not fit its parameter…), which
# subclass the InterfaceError of a lost connection, and errors of files.
NO_OUTAGE: tuple[type[Exception], ...] = (
    asyncpg.DataError,
    asyncpg.exceptions.ClientConfigurationError,
    asyncpg.exceptions.UnsupportedClientFeatureError,
    asyncpg.exceptions.UnsupportedServerFeatureError,
    FileNotFoundError,
    FileExistsError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
)
# The one classification every consumer uses: a failure that may pass if the same work
# is tried again — a dependency away, a statement cancelled (its timeout, an operator,
# a failover), a lock not granted in time, a transaction the database rolled back
# (serialization, deadlock), a database that is read-only for now (a standby during a
# failover). Anything else is the message's own problem (poison).
TRANSIENT: tuple[type[Exception], ...] = (
    *DEPENDENCY_DOWN,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.LockNotAvailableError,
    asyncpg.exceptions.TransactionRollbackError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
)


def database_down(error: BaseException) -> bool:
    """PostgreSQL (or the way to it) is not there right now."""
    return isinstance(error, DATABASE_DOWN) and not isinstance(error, NO_OUTAGE)


def dependency_down(error: BaseException) -> bool:
    """PostgreSQL or Kafka (or the way to them) is not there right now."""
    return isinstance(error, DEPENDENCY_DOWN) and not isinstance(error, NO_OUTAGE)


def transient(error: BaseException) -> bool:
    """The same work may pass if tried again (TRANSIENT): not the message's fault."""
    return isinstance(error, TRANSIENT) and not isinstance(error, NO_OUTAGE)


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with jitter: waits of `first` seconds doubling up to
    `cap`, each ±`jitter` (a fraction). Doubling spares a peer that is struggling; the
    cap keeps a long outage from pushing the next try out of sight; the jitter keeps
    processes (or messages) that failed together from all coming back at once."""

    first: float = 0.5
    cap: float = 10.0
    jitter: float = 0.2

    def delay(self, failures: int, rng: random.Random | None = None) -> float:
        """Seconds to wait after `failures` (≥ 1) failures in a row."""
        doublings = min(max(failures - 1, 0), 32)  # 2**32 already exceeds any sane cap
        base: float = min(self.cap, self.first * 2.0**doublings)
        return base * (rng or random.Random()).uniform(1 - self.jitter, 1 + self.jitter)


async def persist(
    name: str,
    work: Callable[[asyncio.Event], Awaitable[None]],
    stop: asyncio.Event,
    backoff: Backoff | None = None,
    healthy_after: float = 30.0,
) -> None:
    """Run `work` until `stop`; when a dependency is down, log it, wait a backoff and
    run it again. A run that lasted `healthy_after` seconds starts the backoff over."""
    backoff, failures = backoff or Backoff(), 0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        try:
            await work(stop)
            return
        except Exception as exc:
            if not dependency_down(exc):
                raise
            failures = 1 if loop.time() - started >= healthy_after else failures + 1
            delay = backoff.delay(failures)
            log.warning(
                "a dependency is unavailable; restarting",
                extra={"worker": name, "error": describe(exc), "retry_in_s": round(delay, 2)},
            )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
