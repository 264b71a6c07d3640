-- The term of the relay that is active for a checkpoint: each relay that takes over
-- starts a new one, and a checkpoint moves only forward, and only for the relay whose
-- term it is (one that lost its lock without noticing is fenced off).
ALTER TABLE relay_checkpoints ADD COLUMN term bigint NOT NULL DEFAULT 0;
