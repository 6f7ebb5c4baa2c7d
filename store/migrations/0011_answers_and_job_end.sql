-- What a rated row's length label needs besides its tokens (export-feedback).
--
-- answers: how many answers the call asked for (Chat Completions' n; 1 for
-- every other API). completion_tokens is what the provider billed, all of
-- them together, so one answer's length is completion_tokens / answers.
-- A row logged before this column reads 1: its n was not kept, and it
-- exports as it did.
ALTER TABLE decisions ADD COLUMN answers INTEGER NOT NULL DEFAULT 1;

-- ended_status: how a background Responses answer's job ended, as the
-- response object said when a read (or cancel) through the gateway first
-- found it over: 'completed', 'incomplete', 'failed' or 'cancelled'; ''
-- for every other call, for a job no read found over, and for rows logged
-- before this column. A job that failed or was cancelled has no answer to
-- rate, and its tokens are no answer's length.
ALTER TABLE decisions ADD COLUMN ended_status TEXT NOT NULL DEFAULT '';

-- previous_response_id: the answer a Responses call continued, as the call
-- named it; '' for a call that continued none, for every other API, and
-- for rows logged before this column. An answer to a continuation of a
-- kept answer is stored by its provider without it (the provider got the
-- conversation whole), so a read of it by id takes it from here.
ALTER TABLE decisions ADD COLUMN previous_response_id TEXT NOT NULL DEFAULT '';
