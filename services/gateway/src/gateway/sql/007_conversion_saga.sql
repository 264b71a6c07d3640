-- The conversion saga as the interests show it: when an interest converted (a CONVERTED
-- EXHIBIT interest with no application long after is a stuck conversion), and why
-- exhibitors refused the application its last conversion asked for.
ALTER TABLE interests
    ADD COLUMN converted_at timestamptz,
    ADD COLUMN refusal_code text,
    ADD COLUMN refusal_reason text;
CREATE INDEX interests_awaiting_application ON interests (converted_at, id)
    WHERE stage = 'CONVERTED' AND application_id IS NULL;
