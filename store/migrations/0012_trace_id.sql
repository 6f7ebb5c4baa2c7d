-- trace_id: the W3C trace id (32 lowercase hex digits) of the call's
-- traceparent, the one the gateway passed on to each provider it asked, so
-- a platform's distributed trace finds the gateway's decision for it; ''
-- for a call without a valid traceparent and for rows logged before this
-- column. No index: a trace's lookup narrows by ts_ms (the trace says when
-- it ran), as the lookup of a provider's request id does, and an index
-- would cost every traced row its entry.
ALTER TABLE decisions ADD COLUMN trace_id TEXT NOT NULL DEFAULT '';
