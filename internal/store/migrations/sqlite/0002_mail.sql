-- Family mail: senders, items and their scans, screenings, quotas and
-- per-party mail settings, parcels with their items and events, public
-- tracking attempts, blobs (for --blobs db) and named sequences for S10
-- serial numbers.

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE blobs (
    key  TEXT PRIMARY KEY CHECK (length(key) = 64),
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);

CREATE TABLE mail_settings (
    party_code             TEXT PRIMARY KEY REFERENCES parties (code),
    item_service           TEXT NOT NULL,
    parcel_service         TEXT NOT NULL,
    country                TEXT NOT NULL,
    screening_limit_hours  INTEGER NOT NULL CHECK (screening_limit_hours > 0),
    updated_at             TIMESTAMP NOT NULL
);

CREATE TABLE quotas (
    party_code TEXT NOT NULL REFERENCES parties (code),
    direction  TEXT NOT NULL CHECK (direction IN ('to_detainee', 'reply')),
    letters    INTEGER NOT NULL CHECK (letters = 0 OR letters >= 2),
    cards      INTEGER NOT NULL CHECK (cards = 0 OR cards >= 4),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (party_code, direction)
);

CREATE TABLE senders (
    id           INTEGER PRIMARY KEY,
    party_code   TEXT NOT NULL REFERENCES parties (code),
    name         TEXT NOT NULL,
    relationship TEXT NOT NULL,
    contact      TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

CREATE TABLE parcels (
    id           INTEGER PRIMARY KEY,
    tracking     TEXT NOT NULL UNIQUE,
    direction    TEXT NOT NULL CHECK (direction IN ('to_detainee', 'reply')),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    sender_id    INTEGER REFERENCES senders (id),
    from_party   TEXT NOT NULL REFERENCES parties (code),
    to_party     TEXT NOT NULL REFERENCES parties (code),
    facility_id  INTEGER REFERENCES facilities (id),
    status       TEXT NOT NULL CHECK (status IN ('open', 'sealed', 'dispatched', 'handed_over', 'received', 'delivered',
                     'acknowledged', 'undeliverable', 'redirected', 'returned', 'missing')),
    items        INTEGER NOT NULL DEFAULT 0,
    weight_grams INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    sealed_at    TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX parcels_from ON parcels (from_party, status, id);
CREATE INDEX parcels_to ON parcels (to_party, status, id);
CREATE INDEX parcels_person ON parcels (person_id, status);

CREATE TABLE items (
    id           INTEGER PRIMARY KEY,
    tracking     TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('letter', 'card', 'photograph', 'drawing', 'legal_document', 'capture_card', 'complaint')),
    direction    TEXT NOT NULL CHECK (direction IN ('to_detainee', 'reply')),
    sender_id    INTEGER NOT NULL REFERENCES senders (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    origin_party TEXT NOT NULL REFERENCES parties (code),
    dest_party   TEXT NOT NULL REFERENCES parties (code),
    language     TEXT NOT NULL,
    pages        INTEGER NOT NULL CHECK (pages BETWEEN 1 AND 100),
    status       TEXT NOT NULL CHECK (status IN ('received', 'approved', 'redacted', 'rejected', 'packed')),
    pin_hash     TEXT NOT NULL,
    received_at  TIMESTAMP NOT NULL,
    screened_at  TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL,
    version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX items_origin ON items (origin_party, status, received_at);
CREATE INDEX items_dest ON items (dest_party, status, received_at);
CREATE INDEX items_person ON items (person_id, direction, received_at);

CREATE TABLE item_scans (
    id         INTEGER PRIMARY KEY,
    item_id    INTEGER NOT NULL REFERENCES items (id),
    seq        INTEGER NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('original', 'redacted')),
    blob_key   TEXT NOT NULL,
    media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size       INTEGER NOT NULL,
    width      INTEGER NOT NULL DEFAULT 0,
    height     INTEGER NOT NULL DEFAULT 0,
    thumb_key  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX item_scans_item ON item_scans (item_id, seq);
CREATE INDEX item_scans_blob ON item_scans (blob_key);

CREATE TABLE screenings (
    id               INTEGER PRIMARY KEY,
    item_id          INTEGER NOT NULL REFERENCES items (id),
    side             TEXT NOT NULL CHECK (side IN ('sending', 'receiving')),
    party_code       TEXT NOT NULL REFERENCES parties (code),
    outcome          TEXT NOT NULL CHECK (outcome IN ('approved', 'redacted', 'rejected')),
    reason           TEXT NOT NULL DEFAULT '' CHECK (reason IN ('', 'political_military', 'money', 'prohibited_goods', 'illegible_code', 'other_security')),
    note             TEXT NOT NULL DEFAULT '',
    notice           TEXT NOT NULL DEFAULT '',
    redacted_scan_id INTEGER REFERENCES item_scans (id),
    screened_by      INTEGER NOT NULL,
    screened_at      TIMESTAMP NOT NULL,
    waited_seconds   INTEGER NOT NULL,
    UNIQUE (item_id, side)
);

CREATE TABLE parcel_items (
    item_id   INTEGER PRIMARY KEY REFERENCES items (id),
    parcel_id INTEGER NOT NULL REFERENCES parcels (id),
    position  INTEGER NOT NULL,
    added_at  TIMESTAMP NOT NULL
);
CREATE INDEX parcel_items_parcel ON parcel_items (parcel_id, position);

CREATE TABLE parcel_events (
    id         INTEGER PRIMARY KEY,
    parcel_id  INTEGER NOT NULL REFERENCES parcels (id),
    status     TEXT NOT NULL,
    upu_code   TEXT NOT NULL DEFAULT '',
    party_code TEXT NOT NULL DEFAULT '',
    reason     TEXT NOT NULL DEFAULT '',
    at         TIMESTAMP NOT NULL
);
CREATE INDEX parcel_events_parcel ON parcel_events (parcel_id, id);

CREATE TABLE tracking_attempts (
    id       INTEGER PRIMARY KEY,
    client   TEXT NOT NULL,
    tracking TEXT NOT NULL,
    result   TEXT NOT NULL CHECK (result IN ('ok', 'wrong', 'limited')),
    at       TIMESTAMP NOT NULL
);
CREATE INDEX tracking_attempts_client ON tracking_attempts (client, at);
CREATE INDEX tracking_attempts_tracking ON tracking_attempts (tracking, at);
