-- The editions, records of the exhibitors service (issue 20): one row per edition,
-- its application window as last opened or closed; `version` is its stream's.
CREATE TABLE editions (
    code text PRIMARY KEY,
    name text NOT NULL,
    city text NOT NULL,
    country text NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    timezone text NOT NULL,
    currency text NOT NULL,
    supply_chain_areas text[] NOT NULL,
    deposit_threshold_pct integer NOT NULL,
    opens_at timestamptz NOT NULL,
    applications_open_at timestamptz,  -- NULL: from the beginning
    applications_close_at timestamptz NOT NULL,
    version integer NOT NULL
);
