"""What counts as a dependency that went away (a worker starts over, an API answers
503), and the backoff every retry waits by."""

import random

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError
from pavilion_core.outages import DATABASE_DOWN, DEPENDENCY_DOWN, Backoff, transient


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        asyncpg.exceptions.ConnectionDoesNotExistError("gone"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.TooManyConnectionsError("too many"),
        asyncpg.InterfaceError("connection is closed"),
    ],
)
def test_a_database_that_went_away_is_an_outage(error: Exception):
    assert isinstance(error, DATABASE_DOWN)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        ValueError("a bug"),
    ],
)
def test_a_statement_refused_or_cancelled_is_no_outage(error: Exception):
    assert not isinstance(error, DEPENDENCY_DOWN)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
        asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout"),
        asyncpg.exceptions.DiskFullError("could not extend file"),
        asyncpg.exceptions.SerializationError("could not serialize access"),
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.ReadOnlySQLTransactionError("read-only transaction"),
        KafkaConnectionError("no broker"),
    ],
)
def test_a_failure_that_may_pass_on_a_retry_is_transient(error: Exception):
    """Every consumer retries these: sent to a dead-letter queue during a failover, a
    consent withdrawal would be lost."""
    assert transient(error)


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.InvalidTextRepresentationError("invalid input syntax for uuid"),
        # asyncpg's own refusal of a value subclasses the InterfaceError of a lost
        # connection: retried, a message with a non-UUID id would stall its group
        asyncpg.DataError("invalid input for query argument $1: 'abc' (invalid UUID)"),
        FileNotFoundError("templates/missing.txt"),
        KeyError("boothCode"),
    ],
)
def test_a_failure_of_the_message_itself_is_poison(error: Exception):
    assert not transient(error)


def test_a_broker_that_went_away_is_an_outage():
    assert isinstance(KafkaConnectionError(), DEPENDENCY_DOWN)


def test_the_backoff_doubles_up_to_its_cap_within_its_jitter():
    backoff, rng = Backoff(first=0.5, cap=10.0, jitter=0.2), random.Random(1)
    waits = [backoff.delay(n, rng) for n in range(1, 10)]
    for n, wait in enumerate(waits, start=1):
        base = min(10.0, 0.5 * 2 ** (n - 1))
        assert 0.8 * base <= wait <= 1.2 * base
    assert backoff.delay(10_000, rng) <= 12.0  # no overflow, still capped
