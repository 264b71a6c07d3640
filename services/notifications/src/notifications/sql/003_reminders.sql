-- Reminders 7 days and 1 day before an outreach event, one per accepted invitee and
-- offset; due_at follows the event when it moves, and a cancelled event or a changed
-- answer cancels them.
CREATE TABLE reminders (
    id uuid PRIMARY KEY,
    event_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    rule text NOT NULL,
    before interval NOT NULL,
    due_at timestamptz NOT NULL,
    status text NOT NULL,  -- SCHEDULED, FIRED, CANCELLED
    fired_at timestamptz,
    UNIQUE (event_id, contact_id, rule)
);
CREATE INDEX reminders_due ON reminders (due_at) WHERE status = 'SCHEDULED';
