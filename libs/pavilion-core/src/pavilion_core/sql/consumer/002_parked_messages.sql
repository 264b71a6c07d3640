-- Messages a consumer group could not apply, and the later messages of the same record
-- (topic and Kafka key), parked in the order they were consumed until a redrive applies
-- them: a record's history is never applied out of order, nor with a gap.
CREATE TABLE parked_messages (
    seq bigserial NOT NULL,  -- the order parked in: the order consumed
    group_id text NOT NULL,
    topic text NOT NULL,
    partition integer NOT NULL,
    kafka_offset bigint NOT NULL,
    record_key bytea NOT NULL,  -- empty: the messages without a key, one record
    value bytea,
    header_keys bytea[] NOT NULL,  -- as they came (UTF-8, which a text column may refuse)
    header_values bytea[] NOT NULL,
    error_type text,  -- NULL: parked behind an earlier message of its record
    error_message text,
    parked_at timestamptz NOT NULL DEFAULT now(),
    redrive_requested_at timestamptz,
    PRIMARY KEY (group_id, topic, partition, kafka_offset)
);
CREATE INDEX parked_messages_record ON parked_messages (group_id, topic, record_key, seq);
CREATE INDEX parked_messages_asked ON parked_messages (group_id)
    WHERE redrive_requested_at IS NOT NULL;
