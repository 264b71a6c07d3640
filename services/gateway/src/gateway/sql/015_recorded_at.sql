-- When each event was recorded, beside when it happened (occurred_at): the two differ
-- for history imported with its original times. Rows from before are one and the same.
ALTER TABLE timeline ADD COLUMN recorded_at timestamptz;
UPDATE timeline SET recorded_at = occurred_at;
ALTER TABLE timeline ALTER COLUMN recorded_at SET NOT NULL;
