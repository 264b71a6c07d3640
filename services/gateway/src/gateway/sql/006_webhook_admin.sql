-- Webhook endpoints as ADMIN manages them: disabled, enabled, secret rotated, deleted.
-- `version` is the endpoint stream's: a change older than the row's is not applied.
ALTER TABLE webhook_endpoints
    ADD COLUMN status text NOT NULL DEFAULT 'ACTIVE',
    ADD COLUMN secret_rotated_at timestamptz,
    ADD COLUMN version integer NOT NULL DEFAULT 1,
    ADD COLUMN updated_at timestamptz;
UPDATE webhook_endpoints SET updated_at = registered_at;
ALTER TABLE webhook_endpoints ALTER COLUMN updated_at SET NOT NULL;
CREATE INDEX webhook_endpoints_by_registration ON webhook_endpoints (registered_at, id);
