-- Foundation: parties, facilities, persons and their status history, users,
-- sessions, tokens, idempotency keys, the append-only event table and the
-- access log.

CREATE TABLE parties (
    code       TEXT PRIMARY KEY CHECK (length(code) BETWEEN 2 AND 8),
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('state', 'intermediary')),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE facilities (
    id             INTEGER PRIMARY KEY,
    code           TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    party_code     TEXT NOT NULL REFERENCES parties (code),
    kind           TEXT NOT NULL CHECK (kind IN ('camp', 'prison', 'hospital', 'accommodation', 'other')),
    region         TEXT NOT NULL DEFAULT '',
    postal_address TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);

CREATE TABLE persons (
    id                     INTEGER PRIMARY KEY,
    external_id            TEXT UNIQUE,
    category               TEXT NOT NULL CHECK (category IN ('pow', 'civilian_internee', 'displaced_civilian')),
    party_code             TEXT NOT NULL REFERENCES parties (code),
    surname                TEXT NOT NULL DEFAULT '',
    given_name             TEXT NOT NULL DEFAULT '',
    patronymic             TEXT NOT NULL DEFAULT '',
    native_name            TEXT NOT NULL,
    latin_names            TEXT NOT NULL DEFAULT '[]',
    sex                    TEXT NOT NULL DEFAULT '' CHECK (sex IN ('', 'm', 'f')),
    birth_date             TEXT NOT NULL DEFAULT '',
    birth_place            TEXT NOT NULL DEFAULT '',
    rank                   TEXT NOT NULL DEFAULT '',
    service_number         TEXT NOT NULL DEFAULT '',
    father_name            TEXT NOT NULL DEFAULT '',
    mother_maiden_name     TEXT NOT NULL DEFAULT '',
    inform_person          TEXT NOT NULL DEFAULT '',
    correspondence_address TEXT NOT NULL DEFAULT '',
    nationality            TEXT NOT NULL DEFAULT '',
    last_residence         TEXT NOT NULL DEFAULT '',
    distinguishing_marks   TEXT NOT NULL DEFAULT '',
    intermediary_ref       TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL DEFAULT 'registered',
    facility_id            INTEGER REFERENCES facilities (id),
    holding_party          TEXT REFERENCES parties (code),
    arrived_at             TIMESTAMP,
    card_sent_at           TIMESTAMP,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX persons_party ON persons (party_code, id);
CREATE INDEX persons_holding ON persons (holding_party, id);
CREATE INDEX persons_facility ON persons (facility_id, id);

CREATE TABLE person_events (
    id          INTEGER PRIMARY KEY,
    person_id   INTEGER NOT NULL REFERENCES persons (id),
    type        TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    facility_id INTEGER REFERENCES facilities (id),
    note        TEXT NOT NULL DEFAULT '',
    actor_id    INTEGER,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX person_events_person ON person_events (person_id, occurred_at);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    party_code    TEXT NOT NULL REFERENCES parties (code),
    password_hash TEXT NOT NULL,
    lang          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    csrf       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

CREATE TABLE tokens (
    hash       TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE idempotency (
    user_id      INTEGER NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    actor     TEXT NOT NULL,
    party     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    type      TEXT NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX events_entity ON events (entity, entity_id, seq);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

CREATE TABLE access_log (
    id        INTEGER PRIMARY KEY,
    at        TIMESTAMP NOT NULL,
    user_id   INTEGER NOT NULL,
    party     TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    action    TEXT NOT NULL
);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END;
