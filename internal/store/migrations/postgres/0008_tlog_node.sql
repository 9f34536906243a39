-- The transparency log of this node (issue 7): its name, its secret, the
-- witnesses that co-sign its checkpoints and the logs it witnesses.

-- One row. origin is the checkpoint origin line, fixed the first time the
-- node serves ('' until then). secret keys the pseudonyms of the entries:
-- 32 random bytes made here (two gen_random_uuid, from the server's strong
-- random source), so every database has its own from the start.
CREATE TABLE tlog_node (
    id     BIGINT PRIMARY KEY CHECK (id = 1),
    origin TEXT NOT NULL,
    secret BYTEA NOT NULL CHECK (length(secret) >= 32)
);
INSERT INTO tlog_node (id, origin, secret)
VALUES (1, '', decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- The witnesses asked to co-sign this node's checkpoints: the other party's
-- node and the intermediary. name is the witness's signed-note key name,
-- vkey its verifier key, url the prefix of its add-checkpoint endpoint.
CREATE TABLE tlog_witnesses (
    name    TEXT PRIMARY KEY,
    url     TEXT NOT NULL,
    vkey    TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL
);

-- The logs of other nodes this node witnesses, with their verifier keys.
CREATE TABLE tlog_witnessed (
    origin  TEXT PRIMARY KEY,
    vkey    TEXT NOT NULL,
    created TIMESTAMPTZ NOT NULL
);
