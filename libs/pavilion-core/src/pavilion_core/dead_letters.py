"""Dead letters: a message that a consumer could not decode or handle goes to
`<topic>.dlq` as it came (so that it can be redriven), with headers that say why it
failed, and where."""

import logging
from datetime import UTC, datetime

from aiokafka import ConsumerRecord

from pavilion_core.envelope import KafkaRecord
from pavilion_core.kafka import Publisher, dlq_topic
from pavilion_core.logging import describe, trace

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
        extra={"topic": message.topic, "offset": message.offset, "error": describe(error)},
    )


def notice_headers(
    message: ConsumerRecord, error: Exception, group: str
) -> list[tuple[str, bytes]]:
    """`message`'s headers and the dlq_ ones that say why and where it failed."""
    headers = [(k, v) for k, v in message.headers if not k.startswith("dlq_")]
    return headers + [
        (k, v.encode())
        for k, v in {
            "dlq_error_type": type(error).__name__,
            "dlq_error_message": describe(error),
            "dlq_error_trace": trace(error)[-4000:],
            "dlq_original_topic": message.topic,
            "dlq_original_partition": str(message.partition),
            "dlq_original_offset": str(message.offset),
            "dlq_consumer_group": group,
            "dlq_failed_at": datetime.now(UTC).isoformat(),
        }.items()
    ]
