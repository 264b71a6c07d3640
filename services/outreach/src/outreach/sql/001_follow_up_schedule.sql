-- What the overdue job needs to find due follow-ups without reading every stream:
-- projected by the reactor from the service's own topic, offsets in the same
-- transaction (consumer_offsets).
CREATE TABLE follow_up_schedule (
    follow_up_id uuid PRIMARY KEY,
    due_at timestamptz NOT NULL,
    status text NOT NULL,
    announced_for timestamptz
);
CREATE INDEX follow_up_schedule_due ON follow_up_schedule (due_at) WHERE status = 'SCHEDULED';
