-- The follow-up stream's version that last changed each row: a redelivered or older
-- event never moves a due time back or revives a closed follow-up.
ALTER TABLE follow_up_schedule ADD COLUMN version integer NOT NULL DEFAULT 0;
