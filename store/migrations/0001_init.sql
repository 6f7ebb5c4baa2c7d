-- The decision log: one row per routed request. Times are stored twice:
-- ts as fixed-width RFC 3339 UTC text (sorts as text, readable in sqlite3)
-- and ts_ms as Unix milliseconds (cheap range queries). JSON columns hold
-- arrays that the sqlite3 json_* functions can unpack.
CREATE TABLE decisions (
    request_id        TEXT PRIMARY KEY,
    ts                TEXT    NOT NULL,
    ts_ms             INTEGER NOT NULL,
    deployment        TEXT    NOT NULL,
    mode              TEXT    NOT NULL,
    router_version    TEXT    NOT NULL,
    router_model      TEXT    NOT NULL,
    api               TEXT    NOT NULL,
    stream            INTEGER NOT NULL,   -- 0 or 1
    prompt_hash       TEXT    NOT NULL,
    prompt_text       TEXT,               -- NULL unless the operator keeps prompts
    candidates        TEXT    NOT NULL,   -- JSON array of router.Candidate
    chosen            TEXT    NOT NULL,   -- the router's pick ('' when none)
    answered          TEXT    NOT NULL,   -- the model that answered ('' when none)
    propensity        REAL,
    affinity          INTEGER NOT NULL,   -- 1 when session affinity chose
    best_quality      REAL,               -- q*, the best predicted quality
    threshold         REAL,               -- the quality the pick had to reach
    attempts          TEXT    NOT NULL,   -- JSON array of router.Attempt
    fallbacks_tried   INTEGER NOT NULL,   -- upstream calls after the first
    status            INTEGER NOT NULL,   -- HTTP status returned to the client
    error_code        TEXT    NOT NULL,   -- router error code ('' on success)
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    reasoning_tokens  INTEGER NOT NULL,
    cached_tokens     INTEGER NOT NULL,
    cost_usd          REAL,
    decide_ms         REAL,
    first_byte_ms     REAL,
    total_ms          REAL
);
CREATE INDEX decisions_ts ON decisions (ts_ms);
CREATE INDEX decisions_deployment ON decisions (deployment, ts_ms);
CREATE INDEX decisions_answered ON decisions (answered, ts_ms);

-- Feedback on an answer, at most one per request (a later call replaces it).
CREATE TABLE feedback (
    request_id TEXT PRIMARY KEY REFERENCES decisions (request_id) ON DELETE CASCADE,
    score      REAL    NOT NULL,   -- in [0, 1], like the training labels
    label      TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    ts         TEXT    NOT NULL,
    ts_ms      INTEGER NOT NULL
);

-- Client API keys. Only the SHA-256 of a key is stored; prefix is the
-- first characters of the key, shown in listings so people can tell keys apart.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    name       TEXT    NOT NULL,
    prefix     TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    created    TEXT    NOT NULL,
    revoked    TEXT                -- NULL while the key is valid
);
CREATE INDEX api_keys_prefix ON api_keys (prefix);

-- Router deployments created through the management API, stored as the
-- resource JSON the API accepted.
CREATE TABLE deployments (
    name     TEXT PRIMARY KEY,
    resource TEXT NOT NULL,
    created  TEXT NOT NULL,
    updated  TEXT NOT NULL
);
