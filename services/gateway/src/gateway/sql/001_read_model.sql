CREATE TABLE exhibitors (
    id uuid PRIMARY KEY,
    edition text NOT NULL,
    company_name text NOT NULL,
    country text NOT NULL,
    status text NOT NULL,
    supply_chain_areas text[] NOT NULL,
    product_categories text[] NOT NULL,
    contacts jsonb NOT NULL,
    organization_id uuid,
    source_interest_id uuid,
    version integer NOT NULL,
    submitted_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
-- Keyset pagination of an edition's exhibitors by name.
CREATE INDEX exhibitors_by_edition_name ON exhibitors (edition, company_name, id);

-- Every event about a record, once: the event id is the key, which is also what
-- makes a redelivered or re-relayed event a no-op for every projection.
CREATE TABLE timeline (
    event_id uuid PRIMARY KEY,
    subject_id text NOT NULL,
    type text NOT NULL,
    stream_version integer NOT NULL,
    occurred_at timestamptz NOT NULL,
    actor text,
    correlation_id text,
    data jsonb NOT NULL
);
CREATE INDEX timeline_by_subject ON timeline (subject_id, occurred_at, event_id);

-- Event types this projector does not know (yet), counted rather than fatal.
CREATE TABLE skipped_events (
    type text PRIMARY KEY,
    count bigint NOT NULL
);
