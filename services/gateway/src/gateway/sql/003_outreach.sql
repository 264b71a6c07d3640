-- Outreach (issue 6): parties, travel, gatherings and leads, one row per record.
CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    kind text NOT NULL,
    country text NOT NULL,
    website text,
    merged_into uuid,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX organizations_by_name ON organizations (name, id);

CREATE TABLE contacts (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    title text,
    email text NOT NULL,
    phone text,
    country text NOT NULL,
    language text NOT NULL,
    organization_id uuid,
    merged_into uuid,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX contacts_by_name ON contacts (name, id);
CREATE INDEX contacts_by_organization ON contacts (organization_id);

CREATE TABLE consents (
    contact_id uuid NOT NULL,
    channel text NOT NULL,
    purpose text NOT NULL,
    legal_basis text,
    evidence text,
    granted_at timestamptz,
    expires_at timestamptz,
    withdrawn_at timestamptz,
    PRIMARY KEY (contact_id, channel, purpose)
);

CREATE TABLE delegations (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    organizer text NOT NULL,
    leader_id uuid NOT NULL,
    purpose text NOT NULL,
    member_ids uuid[] NOT NULL DEFAULT '{}',
    version integer NOT NULL,
    updated_at timestamptz NOT NULL,
    formed_at timestamptz NOT NULL
);
CREATE INDEX delegations_by_name ON delegations (name, id);

CREATE TABLE trips (
    id uuid PRIMARY KEY,
    delegation_id uuid NOT NULL,
    name text NOT NULL,
    status text NOT NULL,
    stops jsonb NOT NULL,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX trips_by_delegation ON trips (delegation_id);

CREATE TABLE outreach_events (
    id uuid PRIMARY KEY,
    trip_id uuid NOT NULL,
    stop_index integer NOT NULL,
    name text NOT NULL,
    kind text NOT NULL,
    city text NOT NULL,
    country text NOT NULL,
    venue text,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer,
    status text NOT NULL,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX outreach_events_by_start ON outreach_events (starts_at, id);
CREATE INDEX outreach_events_by_trip ON outreach_events (trip_id, stop_index);

-- INVITED, then ACCEPTED or DECLINED; attended is set by attendance or a no-show.
CREATE TABLE invitations (
    event_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    status text NOT NULL,
    attended boolean,
    invited_at timestamptz NOT NULL,
    PRIMARY KEY (event_id, contact_id)
);

CREATE TABLE interests (
    id uuid PRIMARY KEY,
    contact_id uuid NOT NULL,
    organization_id uuid,
    source_event_id uuid,
    kind text NOT NULL,
    edition text NOT NULL,
    supply_chain_areas text[] NOT NULL,
    product_categories text[] NOT NULL,
    stage text NOT NULL,
    owner text,
    application_id uuid,
    lost_reason text,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL,
    captured_at timestamptz NOT NULL
);
CREATE INDEX interests_by_capture ON interests (captured_at, id);
CREATE INDEX interests_by_source_event ON interests (source_event_id);
CREATE INDEX interests_by_edition ON interests (edition, stage);

CREATE TABLE follow_ups (
    id uuid PRIMARY KEY,
    subject_id uuid NOT NULL,
    owner text NOT NULL,
    due_at timestamptz NOT NULL,
    status text NOT NULL,
    overdue boolean NOT NULL DEFAULT false,
    note text,
    outcome text,
    version integer NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX follow_ups_by_due ON follow_ups (due_at, id);
CREATE INDEX follow_ups_by_subject ON follow_ups (subject_id);
