package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
)

// Keeping an answer while another process holds the write lock past
// busy_timeout fails as unavailable, not as a failure of the row: the
// gateway tries such a write again, and the same row is kept once the lock
// is released.
func TestKeepingAnAnswerTheDatabaseCannotWriteNowIsUnavailable(t *testing.T) {
	s, release := openLocked(t)
	ctx := context.Background()

	turn := keptTurn("resp_1", "", "hi", "hello", sampleTime)
	err := s.PutResponse(ctx, turn)
	require.Error(t, err)
	assert.Equal(t, router.EUnavailable, router.ErrorCode(err), err.Error())

	release()
	require.NoError(t, s.PutResponse(ctx, turn))
	_, found, err := s.KeptResponse(ctx, "resp_1")
	require.NoError(t, err)
	assert.True(t, found)
}
