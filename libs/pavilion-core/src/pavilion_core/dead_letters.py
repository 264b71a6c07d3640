"""Dead letters: a message that a consumer could not decode or handle goes to
`<topic>.dlq` as it came (so that it can be redriven), with headers that say why it
failed, and where.

Why, without the values: the value is sealed (pavilion_core.personal), but a handler's
error may quote what it was given once unsealed (pydantic and asyncpg name the input),
and a notice on a topic is kept forever. `error_text` keeps the error's words and
drops what it quotes."""

import logging
import re
import traceback
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from pydantic import ValidationError

from pavilion_core.envelope import KafkaRecord
from pavilion_core.kafka import Publisher, dlq_topic

log = logging.getLogger(__name__)


async def dead_letter(
    publisher: Publisher, message: ConsumerRecord, error: Exception, group: str
) -> None:
    """Send `message`, which consumer group `group` failed with `error`, to its DLQ."""
    headers = notice_headers(message, error, group)
    record = KafkaRecord(key=message.key or b"", value=message.value or b"", headers=headers)
    await publisher.publish(dlq_topic(message.topic), [record])
    log.error(
        "message dead-lettered",
        extra={
            "topic": message.topic,
            "offset": message.offset,
            "error": described(error),
        },
    )


_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'")  # a Python repr of a string: a value


def described(error: BaseException) -> str:
    """`Type: message`, for a log line: what `error_text` keeps."""
    return f"{type(error).__name__}: {error_text(error)}"


def error_text(error: BaseException) -> str:
    """`error`'s message, the values it quotes left out: a validation error's fields and
    what is wrong with them; any other error's message with each quoted string replaced
    by '…'."""
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    return _QUOTED.sub("'…'", str(error))


def notice_headers(
    message: ConsumerRecord, error: Exception, group: str
) -> list[tuple[str, bytes]]:
    """`message`'s headers and the dlq_ ones that say why and where it failed."""
    headers = [(k, v) for k, v in message.headers if not k.startswith("dlq_")]
    return headers + [
        (k, v.encode())
        for k, v in {
            "dlq_error_type": type(error).__name__,
            "dlq_error_message": error_text(error)[:2000],
            "dlq_error_trace": "".join(traceback.format_tb(error.__traceback__))[-4000:],
            "dlq_original_topic": message.topic,
            "dlq_original_partition": str(message.partition),
            "dlq_original_offset": str(message.offset),
            "dlq_consumer_group": group,
            "dlq_failed_at": datetime.now(UTC).isoformat(),
        }.items()
    ]
