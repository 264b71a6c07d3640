"""Structured JSON logs on stdout, carrying the correlation id of the work in hand, and
no personal data: logs name records by id, and an error by its type and code, never by
its message (which may quote the data at hand: a value asyncpg refused, an address an
SMTP server rejected). Tracebacks keep their frames and lose their messages."""

import errno
import json
import logging
import sys
import traceback
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


def distinct(ids: Iterable[str | None], most: int = 100) -> list[str]:
    """The distinct correlation ids of a batch, in order, for one log line."""
    seen = list(dict.fromkeys(i for i in ids if i))
    return seen[:most] + ([f"+{len(seen) - most} more"] if len(seen) > most else [])


def describe(error: BaseException) -> str:
    """An error as logs, parked records and dead-letter notices show it: its type and
    its code (SQLSTATE, errno) when it has one, never its message."""
    code = getattr(error, "sqlstate", None)
    if isinstance(error, OSError) and error.errno:
        code = errno.errorcode.get(error.errno, str(error.errno))
    return f"{type(error).__name__} ({code})" if code else type(error).__name__


def trace(error: BaseException) -> str:
    """A traceback without messages: the frames of the error and of those it came from
    (cause or context), each error described."""
    parts: list[str] = []
    current: BaseException | None = error
    while current is not None and len(parts) < 10:
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        parts.insert(0, f"Traceback (most recent call last):\n{frames}{describe(current)}\n")
        suppressed = current.__suppress_context__
        current = current.__cause__ or (None if suppressed else current.__context__)
    return "\n".join(parts)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if (cid := correlation_id.get()) is not None:
            entry["correlation_id"] = cid
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info and record.exc_info[1] is not None:
            entry["exc"] = trace(record.exc_info[1])
        return json.dumps(entry, default=str)


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(logging.WARNING)


def logging_config(service: str, level: str = "INFO") -> dict[str, Any]:
    """The same set-up as a logging.config dictionary, for frameworks that take one
    (faust's Worker would otherwise install its own plain-text format)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": sys.stdout}
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {"aiokafka": {"level": "WARNING"}},
    }
