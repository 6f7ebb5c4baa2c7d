-- Responses API answers that no provider stores (Claude's, translated from
-- Anthropic's Messages API), kept so a later call can continue them by
-- previous_response_id. Each row holds only what its own turn added; the
-- conversation is the chain of rows through previous_id.
CREATE TABLE responses (
    id          TEXT PRIMARY KEY,
    previous_id TEXT    NOT NULL,   -- the response this one continued ('' when none)
    model       TEXT    NOT NULL,   -- the model that answered
    input       TEXT    NOT NULL,   -- JSON array: the input items this call sent
    output      TEXT    NOT NULL,   -- JSON array: the answer as input items that replay it
    ts          TEXT    NOT NULL,   -- when it was kept
    ts_ms       INTEGER NOT NULL,
    used_ms     INTEGER NOT NULL    -- when its conversation last grew (Unix ms): what expiry reads
);
CREATE INDEX responses_used ON responses (used_ms);
