package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// A rating the database cannot take for now (its disk full, another
// process holding its write lock past busy_timeout) is a 503 the client's
// SDK retries, as the decision log holds its rows through such a time,
// not a 500 that says the gateway failed.
func TestFeedbackTheDatabaseCannotWriteNowIsUnavailable(t *testing.T) {
	t.Run("locked", func(t *testing.T) {
		s, path := openLockable(t)
		logged(t, s, sampleRecord("rated", sampleTime))
		holdWriteLock(t, path)

		err := s.AddFeedback(context.Background(), "rated", 1, "", "")
		assertRetryLater(t, err)
	})
	t.Run("disk full", func(t *testing.T) {
		s := MustOpen(t, store.WithCommitInterval(0))
		logged(t, s, sampleRecord("rated", sampleTime))
		fillDisk(t, s)

		// A comment longer than a page needs pages the file cannot grow by.
		err := s.AddFeedback(context.Background(), "rated", 1, "", strings.Repeat("x", 10_000))
		assertRetryLater(t, err)

		freeDisk(t, s)
		require.NoError(t, s.AddFeedback(context.Background(), "rated", 1, "", strings.Repeat("x", 10_000)), "the retry is taken")
	})
}

func assertRetryLater(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	assert.Equal(t, router.EUnavailable, router.ErrorCode(err), err.Error())
	assert.Contains(t, router.ErrorMessage(err), "retry")
}
