"""Pavilion's integrator kit: read its Kafka topics as typed events (pavilion_kit.events,
every published version), with their CloudEvents envelope, through a consumer that
commits after your handler and hands you every forgotten person (pavilion_kit.consumer).
"""

from pavilion_kit.consumer import Consumer, Forgotten, kafka_options
from pavilion_kit.envelope import Envelope, UnknownEvent, parse
from pavilion_kit.event import Event
from pavilion_kit.events import EVENTS, TOPICS

__all__ = [
    "EVENTS",
    "TOPICS",
    "Consumer",
    "Envelope",
    "Event",
    "Forgotten",
    "UnknownEvent",
    "kafka_options",
    "parse",
]
