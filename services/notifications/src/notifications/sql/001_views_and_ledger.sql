-- The service's own view of who may be written to, built from outreach's and
-- exhibitors' events, and the ledger that makes every notification happen once.

CREATE TABLE recipients (
    contact_id uuid PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    language text NOT NULL
);
CREATE INDEX recipients_by_email ON recipients (email);

CREATE TABLE consents (
    contact_id uuid NOT NULL,
    channel text NOT NULL,
    purpose text NOT NULL,
    granted_at timestamptz NOT NULL,
    expires_at timestamptz,
    PRIMARY KEY (contact_id, channel, purpose)
);

-- A hard opt-out of all mail, by address; only an explicit opt-in lifts it.
CREATE TABLE opt_outs (
    address text PRIMARY KEY,
    opted_out_at timestamptz NOT NULL
);

CREATE TABLE applications (
    application_id uuid PRIMARY KEY,
    edition text NOT NULL,
    company_name text NOT NULL
);

CREATE TABLE application_contacts (
    application_id uuid NOT NULL,
    email text NOT NULL,
    name text NOT NULL,
    PRIMARY KEY (application_id, email)
);

CREATE TABLE outreach_events (
    event_id uuid PRIMARY KEY,
    name text NOT NULL,
    city text NOT NULL,
    venue text,
    starts_at timestamptz NOT NULL,
    status text NOT NULL
);

-- One row per notification, written before anything is sent: its id derives from
-- the triggering event, the rule and the recipient, so a redelivery finds it here.
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    rule text NOT NULL,
    template text NOT NULL,
    channel text NOT NULL,
    purpose text NOT NULL,
    recipient text NOT NULL,
    related_id text,
    trigger_event_id text NOT NULL,
    status text NOT NULL,
    reason text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE organizations (
    organization_id uuid PRIMARY KEY,
    name text NOT NULL
);

CREATE TABLE interests (
    interest_id uuid PRIMARY KEY,
    contact_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    kind text NOT NULL
);
