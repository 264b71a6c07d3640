-- What notifications did (issue 6): one row per notification, and webhook endpoints.
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    channel text NOT NULL,
    recipient text NOT NULL,
    template text,
    rule text NOT NULL,
    status text NOT NULL,
    related_id text,
    reason text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX notifications_by_creation ON notifications (created_at DESC, id DESC);
CREATE INDEX notifications_by_related ON notifications (related_id);

CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    url text NOT NULL,
    event_types text[] NOT NULL,
    registered_at timestamptz NOT NULL
);
