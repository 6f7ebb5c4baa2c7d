-- Ids of state a provider stores that the gateway gave a client key, so
-- another key cannot name them through the gateway's own provider key: the
-- output items of the Responses answers it passed on (an item_reference
-- names one), and the Conversations API conversations a key used first.
-- Rows without a key (no --require-keys) are not written: no one to tell
-- apart. Pruned with the decision log (--keep-decisions).
CREATE TABLE owned_ids (
    id     TEXT    PRIMARY KEY,  -- msg_…, fc_…, rs_… (an output item) or conv_… (a conversation)
    key_id TEXT    NOT NULL,     -- api_keys.id of the key it belongs to: the first that was given or used it
    ts_ms  INTEGER NOT NULL      -- when that key last got or used it (Unix ms): what pruning reads
) WITHOUT ROWID;
CREATE INDEX owned_ids_ts ON owned_ids (ts_ms);
