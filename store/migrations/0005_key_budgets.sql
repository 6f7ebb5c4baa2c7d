-- What each client key may spend, in USD at catalog prices, per period, and
-- an index to add up what it spent (decisions.cost_usd by key_id).
ALTER TABLE api_keys ADD COLUMN budget_usd REAL;                               -- NULL: no budget
ALTER TABLE api_keys ADD COLUMN budget_period TEXT NOT NULL DEFAULT 'month';   -- 'day', 'month' or 'total'
CREATE INDEX decisions_key ON decisions (key_id, ts_ms) WHERE key_id != '';
