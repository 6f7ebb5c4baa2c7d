package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// Deleting a kept answer while the database cannot write (another
// process, or the gateway's own writers under load, holding the write
// lock past busy_timeout) is a 503 the client's SDK retries, as a rating
// is, not a 500 that says the gateway failed: under load through a
// `modelrouter serve -race` run, DELETE /v1/responses/{id} answered 500
// `internal` ("delete kept response: database is locked").
func TestDeletingAKeptAnswerTheDatabaseCannotWriteNowIsUnavailable(t *testing.T) {
	s, path := openLockable(t)
	ctx := context.Background()
	require.NoError(t, s.PutResponse(ctx, keptTurn("resp_1", "", "hi", "hello", sampleTime)))
	release := holdWriteLock(t, path)

	_, err := s.DeleteResponse(ctx, "resp_1")
	assertRetryLater(t, err)

	release()
	deleted, err := s.DeleteResponse(ctx, "resp_1")
	require.NoError(t, err)
	require.True(t, deleted, "the retry deletes it")
}
