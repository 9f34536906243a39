-- Every login attempt, to throttle password guessing and to audit it.
-- client is a keyed hash of the caller's address, never the address.

CREATE TABLE login_attempts (
    id     INTEGER PRIMARY KEY,
    name   TEXT NOT NULL,
    client TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('ok', 'wrong', 'limited')),
    at     TIMESTAMP NOT NULL
);
CREATE INDEX login_attempts_name ON login_attempts (name, at);
CREATE INDEX login_attempts_client ON login_attempts (client, at);
