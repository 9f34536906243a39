-- The published log checkpoint that backed a claim when it was verified.
ALTER TABLE claims ADD COLUMN log_origin TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN log_size BIGINT NOT NULL DEFAULT 0;
ALTER TABLE claims ADD COLUMN log_hash TEXT NOT NULL DEFAULT '';
