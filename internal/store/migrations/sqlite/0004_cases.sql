-- Displaced civilians and repatriation: cases and their members, the
-- append-only history of each case (decisions, wishes, flags, splits),
-- repatriation operations with their roster and outcomes, the signed
-- documents of an operation, claims and the records they link to, and the
-- signing keys a one-node deployment holds for each party.

CREATE TABLE operations (
    id              INTEGER PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    op_date         TIMESTAMP NOT NULL,
    crossing_point  TEXT NOT NULL,
    intermediary    TEXT NOT NULL REFERENCES parties (code),
    from_party      TEXT NOT NULL REFERENCES parties (code),
    to_party        TEXT NOT NULL REFERENCES parties (code),
    note            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL CHECK (state IN ('planned', 'roster_signed', 'completed', 'closed', 'cancelled')),
    state_at        TIMESTAMP NOT NULL,
    roster_signers  TEXT NOT NULL DEFAULT '',
    outcome_signers TEXT NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX operations_parties ON operations (from_party, to_party, id);

CREATE TABLE cases (
    id                     INTEGER PRIMARY KEY,
    party                  TEXT NOT NULL REFERENCES parties (code),
    host_party             TEXT NOT NULL REFERENCES parties (code),
    origin                 TEXT NOT NULL,
    region                 TEXT NOT NULL DEFAULT '',
    placement              TEXT NOT NULL CHECK (placement IN ('custody', 'accommodation', 'private')),
    facility_id            INTEGER REFERENCES facilities (id),
    wish                   TEXT NOT NULL CHECK (wish IN ('undecided', 'return', 'stay')),
    interview_at           TIMESTAMP,
    interview_by           TEXT NOT NULL DEFAULT '',
    interview_intermediary INTEGER NOT NULL DEFAULT 0,
    interview_private      INTEGER NOT NULL DEFAULT 0,
    persecution_risk       INTEGER NOT NULL DEFAULT 0,
    priorities             TEXT NOT NULL DEFAULT '',
    state                  TEXT NOT NULL CHECK (state IN ('registered', 'acceptance_requested', 'accepted', 'refused', 'scheduled', 'repatriated', 'cancelled', 'resettled')),
    state_at               TIMESTAMP NOT NULL,
    registered_at          TIMESTAMP NOT NULL,
    closed_at              TIMESTAMP,
    operation_id           INTEGER REFERENCES operations (id),
    split_of               INTEGER REFERENCES cases (id),
    note                   TEXT NOT NULL DEFAULT '',
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX cases_state ON cases (state, registered_at);
CREATE INDEX cases_party ON cases (party, id);
CREATE INDEX cases_host ON cases (host_party, id);

CREATE TABLE case_members (
    case_id   INTEGER NOT NULL REFERENCES cases (id),
    person_id INTEGER NOT NULL UNIQUE REFERENCES persons (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (case_id, person_id)
);

-- One row per change of a case, never updated: state moves with the
-- decision that caused them (who accepted or refused, when, the stated
-- reason and its source), wishes heard, flags set, splits.
CREATE TABLE case_events (
    id           INTEGER PRIMARY KEY,
    case_id      INTEGER NOT NULL REFERENCES cases (id),
    type         TEXT NOT NULL,
    from_state   TEXT NOT NULL DEFAULT '',
    to_state     TEXT NOT NULL DEFAULT '',
    party        TEXT NOT NULL DEFAULT '',
    decided_at   TIMESTAMP,
    reason       TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    persons      INTEGER NOT NULL DEFAULT 0,
    operation_id INTEGER,
    other_case   INTEGER,
    actor        TEXT NOT NULL DEFAULT '',
    actor_party  TEXT NOT NULL DEFAULT '',
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, id);
CREATE INDEX case_events_type ON case_events (type, decided_at);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events BEGIN SELECT RAISE(ABORT, 'case_events is append-only'); END;

CREATE TABLE operation_entries (
    operation_id INTEGER NOT NULL REFERENCES operations (id),
    person_id    INTEGER NOT NULL REFERENCES persons (id),
    case_id      INTEGER REFERENCES cases (id),
    position     INTEGER NOT NULL,
    category     TEXT NOT NULL,
    name         TEXT NOT NULL,
    birth_date   TEXT NOT NULL DEFAULT '',
    sex          TEXT NOT NULL DEFAULT '',
    outcome      TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'handed_over', 'did_not_travel')),
    reason       TEXT NOT NULL DEFAULT '',
    outcome_at   TIMESTAMP,
    PRIMARY KEY (operation_id, person_id)
);
CREATE INDEX operation_entries_case ON operation_entries (case_id);

-- The signed bundle of each document of an operation, with every
-- signature added so far.
CREATE TABLE signed_documents (
    id         INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL,
    entity_id  INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    bundle     TEXT NOT NULL,
    digest     TEXT NOT NULL,
    signers    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (entity, entity_id, kind)
);

CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    statement   TEXT NOT NULL,
    party       TEXT NOT NULL REFERENCES parties (code),
    made_on     TIMESTAMP NOT NULL,
    source      TEXT NOT NULL,
    subject     TEXT NOT NULL CHECK (subject IN ('refusal', 'repatriation', 'delivery', 'other')),
    stated_count INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('unverified', 'corroborated', 'contradicted', 'verified')),
    status_note TEXT NOT NULL DEFAULT '',
    status_by   TEXT NOT NULL DEFAULT '',
    status_at   TIMESTAMP,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);

CREATE TABLE claim_links (
    claim_id  INTEGER NOT NULL REFERENCES claims (id),
    kind      TEXT NOT NULL CHECK (kind IN ('case', 'operation', 'consignment')),
    target_id INTEGER NOT NULL,
    PRIMARY KEY (claim_id, kind, target_id)
);
CREATE INDEX claim_links_target ON claim_links (kind, target_id);

-- In a one-node deployment the node holds a signing key for each party
-- that works on it; a federated node holds only its own.
CREATE TABLE signing_keys (
    party      TEXT PRIMARY KEY REFERENCES parties (code),
    seed       BLOB NOT NULL,
    public_key TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
