-- Example queries over the modelrouter database, for the sqlite3 shell:
--   sqlite3 -header -column data/modelrouter.db
-- The README shows these exact queries; store/queries_test.go runs each one
-- against a populated database, so keep the two in step.

-- name: recent-decisions
-- The 20 latest requests: what the router chose, which model answered,
-- how it went and what it cost.
SELECT ts, request_id, deployment, mode, chosen, answered, status,
       fallbacks_tried, prompt_tokens, completion_tokens,
       round(cost_usd, 6) AS cost_usd, round(total_ms) AS total_ms
FROM decisions
ORDER BY ts_ms DESC
LIMIT 20;

-- name: traffic-and-cost-per-model
-- Share of requests and of spend per answering model over the last 24 hours.
SELECT coalesce(nullif(answered, ''), '(none)') AS model,
       count(*) AS requests,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct_requests,
       round(total(cost_usd), 4) AS cost_usd,
       round(100.0 * total(cost_usd) / sum(total(cost_usd)) OVER (), 1) AS pct_cost
FROM decisions
WHERE ts_ms >= (strftime('%s', 'now') - 86400) * 1000
GROUP BY model
ORDER BY requests DESC;

-- name: failovers
-- Requests that failed over (a model was called and failed, and the next
-- one was tried), one line per attempt, models skipped without being asked
-- (not_sent) included.
SELECT d.ts, d.request_id, d.chosen, d.answered,
       a.key + 1 AS attempt,
       json_extract(a.value, '$.model') AS model,
       json_extract(a.value, '$.status') AS status,
       json_extract(a.value, '$.error') AS error
FROM decisions AS d, json_each(d.attempts) AS a
WHERE EXISTS (SELECT 1 FROM json_each(d.attempts) AS f
              WHERE f.key < json_array_length(d.attempts) - 1
                AND json_extract(f.value, '$.not_sent') IS NOT 1)
ORDER BY d.ts_ms DESC, a.key
LIMIT 50;

-- name: call-by-provider-request-id
-- The call, and its attempt, that a provider's own request id names (the
-- id its support quotes: OpenAI's x-request-id, Anthropic's request-id,
-- Azure's apim-request-id); put the id in place of this one. It reads
-- every row's attempts: narrow it with ts_ms on a large log.
SELECT d.ts, d.request_id, d.api, d.chosen, d.answered, d.status,
       a.key + 1 AS attempt,
       json_extract(a.value, '$.model') AS model,
       json_extract(a.value, '$.status') AS attempt_status,
       json_extract(a.value, '$.error') AS error
FROM decisions AS d, json_each(d.attempts) AS a
WHERE json_extract(a.value, '$.upstream_request_id') = 'req_011CSHVEp6GbhnAjg5QmVeMz';

-- name: calls-of-a-trace
-- The calls a distributed trace made through the gateway, oldest first:
-- trace_id is the trace-id of the traceparent the client sent (and the
-- gateway passed on to each provider). Put the trace's id in place of this
-- one; the last day's rows are read by the ts_ms index, so widen the
-- window for an older trace rather than leave it out on a large log.
SELECT ts, request_id, deployment, api, chosen, answered, status,
       fallbacks_tried, round(cost_usd, 6) AS cost_usd,
       round(total_ms) AS total_ms, attempts
FROM decisions
WHERE trace_id = '4bf92f3577b34da6a3ce929d0e0e4736'
  AND ts_ms >= (strftime('%s', 'now') - 86400) * 1000
ORDER BY ts_ms;

-- name: failover-rate-per-model
-- How often a request failed over (a model was called and failed, and the
-- next one was tried: an attempt that went out, before the last), per
-- chosen model, over the requests sent to a model: one some model
-- answered, or with an attempt that went out. A model skipped without
-- being asked (not_sent) did not fail, so fallbacks_tried, which counts it,
-- is not the measure. Dry runs (POST /v1/route), calls refused at capacity
-- or before routing, and calls whose every attempt ended before sending
-- reached no model and cannot fail over.
SELECT chosen,
       count(*) AS requests,
       sum(failover) AS failed_over,
       round(100.0 * avg(failover), 1) AS pct_failed_over
FROM (SELECT chosen,
             EXISTS (SELECT 1 FROM json_each(attempts) AS f
                     WHERE f.key < json_array_length(attempts) - 1
                       AND json_extract(f.value, '$.not_sent') IS NOT 1) AS failover
      FROM decisions
      WHERE answered <> ''
         OR EXISTS (SELECT 1 FROM json_each(attempts) AS a
                    WHERE a.type = 'object' AND json_extract(a.value, '$.not_sent') IS NOT 1))
GROUP BY chosen
ORDER BY failed_over DESC, requests DESC;

-- name: candidates-of-latest-request
-- Every candidate of the latest routed request with its predictions and why
-- it won or lost (calls refused before routing have no candidates); put a
-- request_id in place of the subquery to inspect another.
SELECT json_extract(c.value, '$.model') AS model,
       json_extract(c.value, '$.rank') AS rank,
       round(json_extract(c.value, '$.predicted_quality'), 3) AS quality,
       round(json_extract(c.value, '$.expected_cost_usd'), 6) AS expected_cost_usd,
       json_extract(c.value, '$.reason') AS reason
FROM decisions AS d, json_each(d.candidates) AS c
WHERE d.request_id = (SELECT request_id FROM decisions WHERE chosen <> '' ORDER BY ts_ms DESC LIMIT 1)
ORDER BY rank = 0, rank;

-- name: feedback-per-model
-- Average feedback score per answering model (scores are in [0, 1]; older
-- releases also took ratings of calls no model answered and of a provider's
-- own 4xx passed to the client, which is no answer either: both left out;
-- so is a background job rated before a read found it failed or cancelled).
SELECT d.answered AS model,
       count(*) AS rated,
       round(avg(f.score), 3) AS avg_score,
       sum(f.score >= 0.5) AS good,
       sum(f.score < 0.5) AS bad
FROM feedback AS f
JOIN decisions AS d USING (request_id)
WHERE d.answered <> '' AND (d.status < 400 OR d.status = 499 OR d.status >= 500)
  AND d.ended_status NOT IN ('failed', 'cancelled')
GROUP BY d.answered
ORDER BY rated DESC;

-- name: latest-feedback
-- The latest feedback with the request it rates.
SELECT f.ts, f.request_id, d.deployment, d.answered, f.score, f.label, f.comment
FROM feedback AS f
JOIN decisions AS d USING (request_id)
ORDER BY f.ts_ms DESC
LIMIT 20;

-- name: hourly-latency-and-errors
-- Requests, mean latencies (ms) and errors per hour, newest first. The
-- means are over the calls that had the latency (nullif: older logs wrote
-- 0 for a call refused before routing or one that reached no upstream).
SELECT strftime('%Y-%m-%d %H:00', ts) AS hour,
       count(*) AS requests,
       round(avg(nullif(decide_ms, 0)), 2) AS decide_ms,
       round(avg(nullif(first_byte_ms, 0))) AS first_byte_ms,
       round(avg(total_ms)) AS total_ms,
       sum(status >= 400) AS errors
FROM decisions
GROUP BY hour
ORDER BY hour DESC
LIMIT 24;

-- name: spend-per-key
-- Requests and spend per client key over the last 24 hours, keys by name
-- and id (names need not be unique; (no key) for calls to a gateway that
-- needs none).
SELECT coalesce(k.name || ' (' || k.id || ')', nullif(d.key_id, ''), '(no key)') AS client_key,
       count(*) AS requests,
       round(total(d.cost_usd), 4) AS cost_usd
FROM decisions AS d LEFT JOIN api_keys AS k ON k.id = d.key_id
WHERE d.ts_ms >= (strftime('%s', 'now') - 86400) * 1000
GROUP BY d.key_id
ORDER BY cost_usd DESC;
