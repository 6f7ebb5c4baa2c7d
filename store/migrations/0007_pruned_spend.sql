-- What the calls of decision rows deleted by `serve --keep-decisions` spent,
-- per client key and span of a UTC day, so budgets (a total budget above
-- all) and `keys list` still count it once the rows are gone. A prune adds
-- to it in the transaction that deletes the rows.
CREATE TABLE pruned_spend (
    key_id   TEXT    NOT NULL,   -- decisions.key_id ('' for calls without a key)
    from_ms  INTEGER NOT NULL,   -- where the calls' span begins (Unix ms): the UTC midnight of the day they began, or
                                 -- the latest budget_starts time that day at or before them
    cost_usd REAL    NOT NULL,   -- the sum of their cost_usd
    calls    INTEGER NOT NULL,   -- how many rows were deleted
    PRIMARY KEY (key_id, from_ms)
) WITHOUT ROWID;

-- When each `serve` process's budget tracker began counting its own calls
-- (it reads the log for those before). A prune splits pruned_spend at every
-- one, whichever gateway prunes, so each gateway's read of the log up to its
-- own start stays exact once rows after it are gone. One row a start.
CREATE TABLE budget_starts (
    at_ms INTEGER PRIMARY KEY    -- Unix ms
) WITHOUT ROWID;
