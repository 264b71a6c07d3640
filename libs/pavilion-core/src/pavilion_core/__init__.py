"""Pavilion's shared library: envelope, event store, outbox relay, consumer loop,
configuration and logging. It holds no domain types."""
