-- The vault (pavilion_core.personal): a key per data subject, the subjects forgotten,
-- and the people known only by an address. Idempotent: deploy/compose/vault-database.sql
-- runs it as the vault's owner too.
CREATE TABLE IF NOT EXISTS subject_keys (
    subject text PRIMARY KEY,
    key bytea NOT NULL CHECK (length(key) = 32),  -- AES-256
    created_at timestamptz NOT NULL DEFAULT now()
);
-- A subject here never gets a key again (sealing for it stores null).
CREATE TABLE IF NOT EXISTS forgotten_subjects (
    subject text PRIMARY KEY,
    forgotten_at timestamptz NOT NULL DEFAULT now()
);
-- A person with no id of their own (an exhibitor's contact person, a mail recipient):
-- a random subject per (scope, keyed hash of the normalised address); the row goes
-- with the key when the subject is forgotten.
CREATE TABLE IF NOT EXISTS person_subjects (
    scope text NOT NULL,
    address_hash text NOT NULL,
    subject text NOT NULL UNIQUE,
    PRIMARY KEY (scope, address_hash)
);
CREATE INDEX IF NOT EXISTS person_subjects_by_address ON person_subjects (address_hash);
