-- A forgotten person's values read as null on the topics (crypto-shredding): the
-- read-model columns fed by personal values that a projection may have to leave
-- empty, so that a rebuild after forgetting applies every event. (Dropping NOT NULL
-- again is a no-op: a migration that did it first leaves this nothing to do.)
ALTER TABLE contacts ALTER COLUMN name DROP NOT NULL, ALTER COLUMN email DROP NOT NULL;
ALTER TABLE follow_ups ALTER COLUMN owner DROP NOT NULL;
ALTER TABLE notifications ALTER COLUMN recipient DROP NOT NULL;
