-- Each view row remembers the version (in its own stream) of the last event that wrote
-- it, so that a redelivered or older event changes nothing: every write is
-- "... WHERE version < the event's". Rows written before this migration are at 0.
ALTER TABLE recipients ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN version bigint NOT NULL DEFAULT 0;
ALTER TABLE outreach_events ADD COLUMN version bigint NOT NULL DEFAULT 0;

-- A withdrawn consent (or an application contact removed) stays as a tombstone with
-- its version, so that the grant (the addition) redelivered later cannot bring it back.
ALTER TABLE consents ADD COLUMN version bigint NOT NULL DEFAULT 0,
    ALTER COLUMN granted_at DROP NOT NULL;  -- NULL: withdrawn
ALTER TABLE application_contacts ADD COLUMN version bigint NOT NULL DEFAULT 0,
    ADD COLUMN removed boolean NOT NULL DEFAULT false;

-- The venue's time zone (IANA), for the times the emails show; UTC when outreach
-- named none.
ALTER TABLE outreach_events ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC';

-- Reminders: the version of the outreach event's stream that last moved or cancelled
-- them, and MISSED (the event had begun before the reminder could go out).
ALTER TABLE reminders ADD COLUMN event_version bigint NOT NULL DEFAULT 0;
