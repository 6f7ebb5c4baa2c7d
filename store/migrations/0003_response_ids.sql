-- Which answer each decision produced, so a stored Responses API answer can
-- be read, deleted or continued through the gateway by its id alone: the
-- row names the model (and so the provider) that holds it.
ALTER TABLE decisions ADD COLUMN response_id TEXT NOT NULL DEFAULT '';  -- the Responses answer's id ('' for other APIs)
CREATE INDEX decisions_response ON decisions (response_id) WHERE response_id != '';

-- A kept answer as its client got it (a Responses API response object), for
-- GET /v1/responses/{id}; '' for answers kept before this column existed.
ALTER TABLE responses ADD COLUMN response TEXT NOT NULL DEFAULT '';
