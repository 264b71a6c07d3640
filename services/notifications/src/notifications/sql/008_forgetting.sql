-- Forgetting a person (GDPR art. 17). A forgotten contact's recipient row stays as a
-- tombstone without address or name (so that an older event arriving late cannot
-- bring them back); the ledger and the mail queue keep their rows (a notification is
-- never sent twice) without the address, the message or the error that may quote it.
ALTER TABLE recipients
    ADD COLUMN forgotten boolean NOT NULL DEFAULT false,
    ALTER COLUMN email DROP NOT NULL,
    ALTER COLUMN name DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN recipient DROP NOT NULL;
ALTER TABLE mail_queue ALTER COLUMN recipient DROP NOT NULL;

-- An exhibitor's contact person is forgotten by appearances (ExhibitorContactForgotten):
-- entry n (from 1) of the application's contact entries, ApplicationSubmitted's
-- contacts in order, then each ExhibitorContactAdded. Rows recorded before this
-- migration have none, and are not found by it.
ALTER TABLE applications ADD COLUMN contact_entries integer NOT NULL DEFAULT 0;
ALTER TABLE application_contacts ADD COLUMN appearances integer[] NOT NULL DEFAULT '{}';
