-- The dispatching side's reply to a confirmed discrepancy note (RCV-3, the
-- reply to a UPU verification note). One reply per note: the note id is
-- the key. The note itself, with its original quantities, is left as it is.

CREATE TABLE note_replies (
    note_id    BIGINT NOT NULL PRIMARY KEY REFERENCES discrepancy_notes (id),
    party_code TEXT NOT NULL REFERENCES parties (code),
    user_id    BIGINT NOT NULL,
    text       TEXT NOT NULL CHECK (text <> ''),
    replied_at TIMESTAMPTZ NOT NULL
);
