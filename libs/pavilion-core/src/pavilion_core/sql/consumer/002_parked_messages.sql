-- Messages a consumer group could not apply, and the later messages of the same record
-- (topic and Kafka key), parked in offset order until a redrive applies them: a
-- record's history is never applied out of order, nor with a gap.
CREATE TABLE parked_messages (
    group_id text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    record_key bytea NOT NULL,  -- empty: the messages without a key, one record
    value bytea,
    header_keys text[] NOT NULL,
    header_values bytea[] NOT NULL,
    error_type text,  -- NULL: parked behind an earlier message of its record
    error_message text,
    parked_at timestamptz NOT NULL DEFAULT now(),
    redrive_requested_at timestamptz,
    PRIMARY KEY (group_id, topic, partition, kafka_offset)
);
CREATE INDEX parked_messages_record ON parked_messages (group_id, topic, record_key);
