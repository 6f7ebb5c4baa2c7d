-- A key's spend (total(cost_usd) of its rows in a span: budgets, on a
-- capped key's first call after a gateway starts, and `keys list`) read
-- from the index alone. decisions_key found the rows but read each one
-- from the table for its cost: about 17 µs a row, 1.5 s for a key with
-- 87,000 rows, on the request path of that first call. This index
-- answers every query decisions_key did, so that one goes.
DROP INDEX IF EXISTS decisions_key;
CREATE INDEX IF NOT EXISTS decisions_key_spend ON decisions (key_id, ts_ms, cost_usd) WHERE key_id != '';
