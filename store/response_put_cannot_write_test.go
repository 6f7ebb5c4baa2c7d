package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// Keeping an answer while another process holds the write lock past
// busy_timeout fails as unavailable, not as a failure of the row: the
// gateway tries such a write again, and the same row is kept once the lock
// is released.
func TestKeepingAnAnswerTheDatabaseCannotWriteNowIsUnavailable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	s, err := store.Open(path, store.WithBusyTimeout(time.Millisecond), store.WithCommitInterval(0))
	require.NoError(t, err)
	defer s.Close()
	ctx := context.Background()
	release := holdWriteLock(t, path)

	turn := keptTurn("resp_1", "", "hi", "hello", sampleTime)
	err = s.PutResponse(ctx, turn)
	require.Error(t, err)
	assert.Equal(t, router.EUnavailable, router.ErrorCode(err), err.Error())

	release()
	require.NoError(t, s.PutResponse(ctx, turn))
	_, found, err := s.KeptResponse(ctx, "resp_1")
	require.NoError(t, err)
	assert.True(t, found)
}
