package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The ids a call gave its key are written with its decision row and read
// back after a restart; the first key keeps an id another key's call
// names later, and calls without a key record nothing.
func TestOwnedIDsOutliveARestartAndKeepTheirFirstKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	mine := sampleRecord(requestID(1), sampleTime)
	mine.KeyID, mine.OwnedIDs = "key_a", []string{"msg_a", "conv_shared"}
	theirs := sampleRecord(requestID(2), sampleTime.Add(time.Second))
	theirs.KeyID, theirs.OwnedIDs = "key_b", []string{"conv_shared", "msg_b"}
	open := sampleRecord(requestID(3), sampleTime.Add(2*time.Second))
	open.OwnedIDs = []string{"msg_open"}
	logged(t, s, mine, theirs, open)
	require.NoError(t, s.Close())

	s, err = store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	ids := []string{"msg_a", "conv_shared", "msg_b", "msg_open", "msg_never"}
	owners, err := s.OtherOwners(context.Background(), "key_c", ids)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"msg_a": "key_a", "conv_shared": "key_a", "msg_b": "key_b"}, owners)
	owners, err = s.OtherOwners(context.Background(), "key_a", ids)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"msg_b": "key_b"}, owners, "a key's own ids are not what it may not name")
}

// Owned ids go with the decision rows of their time, counted from their
// key's last use: a conversation still in use stays its key's.
func TestOwnedIDsArePrunedWithTheDecisionLog(t *testing.T) {
	s := MustOpen(t)
	ctx := context.Background()
	old := sampleRecord(requestID(1), sampleTime)
	old.KeyID, old.OwnedIDs = "key_a", []string{"msg_old", "conv_1"}
	logged(t, s, old)
	require.NoError(t, s.OwnIDs(ctx, "key_a", []string{"conv_1"}), "used again now")

	_, err := s.PruneDecisions(ctx, sampleTime.Add(time.Hour))
	require.NoError(t, err)
	owners, err := s.OtherOwners(ctx, "key_b", []string{"msg_old", "conv_1"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"conv_1": "key_a"}, owners)
}

// BenchmarkOtherOwners looks up the 300 item ids of an agent's turn sent
// back whole (its own, as they mostly are) among 100,000 owned ids.
func BenchmarkOtherOwners(b *testing.B) {
	s := MustOpen(b)
	ctx := context.Background()
	all := make([]string, 100_000)
	for i := range all {
		all[i] = fmt.Sprintf("rs_%048d", i)
	}
	for i := 0; i < len(all); i += 10_000 {
		require.NoError(b, s.OwnIDs(ctx, fmt.Sprintf("key_%d", i%7), all[i:i+10_000]))
	}
	turn := all[5_000:5_300] // key_0's
	b.ReportAllocs()
	for b.Loop() {
		if owners, err := s.OtherOwners(ctx, "key_0", turn); err != nil || len(owners) != 0 {
			b.Fatalf("%v, %v", owners, err)
		}
	}
}
