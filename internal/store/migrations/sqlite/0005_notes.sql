-- Notes about persons, as PFIF carries them (status reports from whoever
-- looked for the person), and where each person record came from.

CREATE TABLE person_notes (
    id                   INTEGER PRIMARY KEY,
    person_id            INTEGER NOT NULL REFERENCES persons (id),
    record_id            TEXT NOT NULL UNIQUE,
    linked_record_id     TEXT NOT NULL DEFAULT '',
    entry_date           TEXT NOT NULL DEFAULT '',
    source_date          TEXT NOT NULL DEFAULT '',
    author_name          TEXT NOT NULL DEFAULT '',
    author_made_contact  TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL DEFAULT '',
    last_known_location  TEXT NOT NULL DEFAULT '',
    text                 TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMP NOT NULL
);
CREATE INDEX person_notes_person ON person_notes (person_id, id);
