-- Every row carries the version of its stream's event that last changed it, so that a
-- projection never lets an older version overwrite a newer one: booths that of their
-- hall's floor plan, consents their contact's, invitations their outreach event's.
ALTER TABLE booths ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE consents ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN version integer NOT NULL DEFAULT 0;
ALTER TABLE notifications ADD COLUMN version integer NOT NULL DEFAULT 0;
