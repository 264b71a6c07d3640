"""What a user would pick instead of Pavilion, measured in the same run: PostGraphile 4
on the gateway's read model, the `eventsourcing` library's PostgreSQL store, and the
machine's commit ceiling."""
