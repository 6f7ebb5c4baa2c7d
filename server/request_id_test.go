package server

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRequestIDsAreUniqueAndSortByTime(t *testing.T) {
	start := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 1000 {
		// Ten ids per millisecond: order within one millisecond is random.
		ids = append(ids, newRequestID(start.Add(time.Duration(i/10)*time.Millisecond)))
	}
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for i, id := range ids {
		require.Regexp(t, hex32, id)
		require.False(t, seen[id], "id %s repeated", id)
		seen[id] = true
		if i >= 10 {
			assert.Less(t, ids[i-10], id, "an id from a later millisecond sorts after")
		}
	}
	assert.Equal(t, ids[0][:12], ids[9][:12], "the first 48 bits are the millisecond")
	assert.True(t, slices.IsSorted(func() []string {
		prefixes := make([]string, len(ids))
		for i, id := range ids {
			prefixes[i] = id[:12]
		}
		return prefixes
	}()))
}
