-- Transparency log (issue 7): an RFC 6962 Merkle tree of event claims,
-- served as C2SP tlog-tiles. Entries hold no personal data; the salts and
-- values behind their commitments stay here, in tlog_openings.

-- One row: the number of entries in the log. Appenders update it first,
-- which serializes them.
CREATE TABLE tlog_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL CHECK (size >= 0)
);
INSERT INTO tlog_state (id, size) VALUES (1, 0);

-- The entries, by index from 0.
CREATE TABLE tlog_entries (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- The stored hashes of the tree, by tlog.StoredHashIndex.
CREATE TABLE tlog_hashes (
    id   INTEGER PRIMARY KEY,
    hash BLOB NOT NULL
);

-- Per entry, the salts and values behind its pseudonym and commitments
-- (JSON), revealed one entry at a time by `lifeline log open`.
CREATE TABLE tlog_openings (
    idx  INTEGER PRIMARY KEY,
    data BLOB NOT NULL
);

-- Checkpoints signed by this node, by tree size.
CREATE TABLE tlog_checkpoints (
    size    INTEGER PRIMARY KEY,
    hash    BLOB NOT NULL,
    note    BLOB NOT NULL,
    created TEXT NOT NULL
);

-- Witness co-signatures of this node's checkpoints: one signature line each.
CREATE TABLE tlog_cosignatures (
    size    INTEGER NOT NULL REFERENCES tlog_checkpoints (size),
    witness TEXT NOT NULL,
    line    TEXT NOT NULL,
    created TEXT NOT NULL,
    PRIMARY KEY (size, witness)
);

-- As a witness of other logs: the last checkpoint signed, per log origin.
CREATE TABLE tlog_witness_state (
    origin  TEXT PRIMARY KEY,
    size    INTEGER NOT NULL CHECK (size >= 0),
    hash    BLOB NOT NULL,
    updated TEXT NOT NULL
);
