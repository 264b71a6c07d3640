-- Idempotency keys become each caller's own and expire (eventstore.py, pgstore.py).
ALTER TABLE idempotency_keys ADD COLUMN caller text, ADD COLUMN expires_at timestamptz;

-- A key stored so far was sent by the actor of the events its command appended.
UPDATE idempotency_keys k
SET caller = e.metadata->>'actor', expires_at = k.created_at + interval '24 hours'
FROM events e
WHERE e.event_id = (k.result->'event_ids'->>0)::uuid;
DELETE FROM idempotency_keys WHERE caller IS NULL;

ALTER TABLE idempotency_keys
    ALTER COLUMN caller SET NOT NULL,
    ALTER COLUMN expires_at SET NOT NULL,
    DROP CONSTRAINT idempotency_keys_pkey,
    ADD PRIMARY KEY (caller, key);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
