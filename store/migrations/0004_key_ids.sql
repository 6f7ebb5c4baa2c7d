-- The client key each call came with, so an answer stored by id belongs to
-- the key that made it (and spend can be read per key).
ALTER TABLE decisions ADD COLUMN key_id TEXT NOT NULL DEFAULT '';  -- api_keys.id of the client key ('' when none was needed)

-- The client key a kept answer belongs to ('' when none was needed).
ALTER TABLE responses ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
