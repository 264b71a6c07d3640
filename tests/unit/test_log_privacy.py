"""Logs carry no personal data: an error is logged by type and code, a traceback by its
frames, never by a message that may quote the data at hand."""

import errno
import json
import logging

import asyncpg
from pavilion_core.logging import JsonFormatter, describe, trace

MARKER = "zelda.quarrington@example.com"


def _failing() -> None:
    try:
        raise KeyError(MARKER)
    except KeyError as exc:
        raise ValueError(f"invalid input for query argument $1: {MARKER!r}") from exc


def test_a_logged_error_shows_its_type_frames_and_code_but_not_its_message() -> None:
    try:
        _failing()
    except ValueError as exc:
        record = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = (type(exc), exc, exc.__traceback__)
        record.error = describe(exc)
        line = JsonFormatter("test").format(record)
    assert MARKER not in line
    entry = json.loads(line)
    assert entry["error"] == "ValueError"
    assert "KeyError" in entry["exc"] and "_failing" in entry["exc"]  # the chain, the frames


def test_codes_are_kept_messages_are_not() -> None:
    refused = asyncpg.UniqueViolationError(f"Key (email)=({MARKER}) already exists")
    assert describe(refused) == "UniqueViolationError (23505)"
    assert describe(ConnectionRefusedError(errno.ECONNREFUSED, MARKER)) == (
        "ConnectionRefusedError (ECONNREFUSED)"
    )
    assert MARKER not in trace(refused)
