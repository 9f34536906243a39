-- The running counts of a handover, kept as it goes so that a scan reads
-- a few rows instead of counting every scan and manifest line. Slot 0
-- holds the manifest's parcels (expected) and whatever was scanned before
-- the row was made; every scan adds its own 1s to one of a few other
-- slots, so that concurrent scanners on PostgreSQL seldom wait for the
-- same row and never for the consignment's. A handover's counts are the
-- sums of its slots.

CREATE TABLE handover_tallies (
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    slot           INTEGER NOT NULL,
    expected       INTEGER NOT NULL,
    scanned        INTEGER NOT NULL,
    received       INTEGER NOT NULL,
    damaged        INTEGER NOT NULL,
    PRIMARY KEY (consignment_id, slot)
);
