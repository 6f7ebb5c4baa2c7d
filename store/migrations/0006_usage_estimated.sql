-- 1 when the provider reported no usage for an answer (a client that left
-- mid-stream, a server that ignores stream_options.include_usage): the
-- token counts and cost_usd are then the gateway's estimate, not zero.
ALTER TABLE decisions ADD COLUMN usage_estimated INTEGER NOT NULL DEFAULT 0;
