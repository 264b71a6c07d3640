-- One row per stream: its version and the transaction that last appended to it.
-- Appends lock this row, which serialises writers of one stream; last_xid lets an
-- append detect that its transaction id is older than the previous append's, which
-- would break per-stream order in the relay (see eventstore.py).
CREATE TABLE streams (
    stream_id text PRIMARY KEY,
    version integer NOT NULL,
    last_xid xid8 NOT NULL
);

CREATE TABLE events (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    stream_id text NOT NULL,
    version integer NOT NULL,
    type text NOT NULL,
    schema_version integer NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    UNIQUE (stream_id, version)
);
-- The relay reads in (xid, position) order below the oldest running transaction.
CREATE INDEX events_relay_order ON events (xid, position);

-- A retried command with the same key returns the first result and appends nothing.
CREATE TABLE idempotency_keys (
    key text PRIMARY KEY,
    request_hash text NOT NULL,
    result jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE relay_checkpoints (
    name text PRIMARY KEY,
    last_xid xid8 NOT NULL,
    last_position bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
