-- Consignments between the parties through the intermediary: the
-- consignment and its parcels (by tracking number, with the parcel's state
-- in this consignment and, when this node has the parcel, a link to it),
-- handover scans, discrepancy notes with their confirmations, deliveries,
-- the public keys this node trusts for each party, and the signed bundles
-- this node made or applied, for idempotent import and export.

CREATE TABLE consignments (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL CHECK (kind IN ('outbound', 'return')),
    from_party      TEXT NOT NULL REFERENCES parties (code),
    to_party        TEXT NOT NULL REFERENCES parties (code),
    via_party       TEXT NOT NULL REFERENCES parties (code),
    period          TEXT NOT NULL,
    target          INTEGER NOT NULL DEFAULT 0,
    return_of       TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('draft', 'sealed', 'dispatched', 'handed_over', 'receipted', 'closed')),
    place           TEXT NOT NULL DEFAULT '',
    origin          TEXT NOT NULL CHECK (origin IN ('local', 'imported')),
    manifest_digest TEXT NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sealed_at       TIMESTAMP,
    dispatched_at   TIMESTAMP,
    handed_over_at  TIMESTAMP,
    receipted_at    TIMESTAMP,
    closed_at       TIMESTAMP,
    updated_at      TIMESTAMP NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX consignments_from ON consignments (from_party, id);
CREATE INDEX consignments_to ON consignments (to_party, id);

CREATE TABLE consignment_parcels (
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    tracking       TEXT NOT NULL,
    parcel_id      INTEGER REFERENCES parcels (id),
    recipient_ref  TEXT NOT NULL,
    weight_grams   INTEGER NOT NULL,
    items          INTEGER NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('open', 'sealed', 'dispatched', 'handed_over', 'received', 'delivered',
                       'acknowledged', 'undeliverable', 'redirected', 'returned', 'missing')),
    position       INTEGER NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (consignment_id, tracking)
);
CREATE INDEX consignment_parcels_tracking ON consignment_parcels (tracking, state);
CREATE INDEX consignment_parcels_parcel ON consignment_parcels (parcel_id);

CREATE TABLE handover_scans (
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    tracking       TEXT NOT NULL,
    expected       INTEGER NOT NULL CHECK (expected IN (0, 1)),
    damaged        INTEGER NOT NULL CHECK (damaged IN (0, 1)),
    user_id        INTEGER NOT NULL,
    scanned_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (consignment_id, tracking)
);

CREATE TABLE discrepancy_notes (
    id             INTEGER PRIMARY KEY,
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    text           TEXT NOT NULL,
    expected       INTEGER NOT NULL,
    scanned        INTEGER NOT NULL,
    missing        TEXT NOT NULL,
    extra          TEXT NOT NULL,
    damaged        TEXT NOT NULL,
    author_id      INTEGER NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX discrepancy_notes_consignment ON discrepancy_notes (consignment_id, id);

CREATE TABLE note_confirmations (
    note_id      INTEGER NOT NULL REFERENCES discrepancy_notes (id),
    user_id      INTEGER NOT NULL,
    confirmed_at TIMESTAMP NOT NULL,
    PRIMARY KEY (note_id, user_id)
);

CREATE TABLE deliveries (
    id             INTEGER PRIMARY KEY,
    consignment_id INTEGER NOT NULL REFERENCES consignments (id),
    tracking       TEXT NOT NULL,
    outcome        TEXT NOT NULL CHECK (outcome IN ('delivered', 'undeliverable')),
    at             TIMESTAMP NOT NULL,
    ack_kind       TEXT NOT NULL DEFAULT '' CHECK (ack_kind IN ('', 'signed_slip', 'representative')),
    ack_ref        TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL DEFAULT '' CHECK (action IN ('', 'redirected', 'returned', 'held')),
    new_facility   TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    user_id        INTEGER NOT NULL DEFAULT 0,
    origin         TEXT NOT NULL CHECK (origin IN ('local', 'imported')),
    recorded_at    TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_consignment ON deliveries (consignment_id, tracking, id);

CREATE TABLE party_keys (
    key_id     TEXT PRIMARY KEY,
    party_code TEXT NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE bundles_applied (
    id         INTEGER PRIMARY KEY,
    ref        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    signers    TEXT NOT NULL,
    origin     TEXT NOT NULL CHECK (origin IN ('local', 'imported')),
    body       TEXT NOT NULL,
    applied_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (ref, seq)
);
