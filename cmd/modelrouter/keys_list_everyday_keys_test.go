package main

import (
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// `keys list` has no --json: a script finds a key's ID by its name on the
// key's line (`keys list | awk '$3 == "old-laptop" {print $1}'`, then
// `keys revoke ID`). Everyday names of under 20 characters beside a revoked
// key and a monthly budget, which any gateway in use soon has, are not the
// long names the two-line layout is for: each key's ID and name stay on one
// line, and the table still fits 120 columns.
func TestKeysListKeepsEachKeysIDAndNameOnOneLineWithEverydayNames(t *testing.T) {
	s, path := newLogStore(t)
	ctx := context.Background()
	var keys []store.Key
	for _, n := range []string{"nightly-batch-jobs", "ci-pipeline", "old-laptop"} {
		_, k, err := s.CreateKey(ctx, n)
		require.NoError(t, err)
		keys = append(keys, k)
	}
	_, err := s.SetKeyBudget(ctx, keys[1].ID, store.Budget{USD: 250, Period: store.PeriodMonth})
	require.NoError(t, err)
	_, err = s.RevokeKey(ctx, keys[2].ID)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	out, _, err := runCmd(t, "keys", "list", "--db", path)
	require.NoError(t, err)
	assertFits120(t, out)
	for _, k := range keys {
		assert.Regexp(t, `(?m)^`+regexp.QuoteMeta(k.ID)+` .* `+regexp.QuoteMeta(k.Name)+`( |$)`, out,
			"key %s and its name %q are not on one line", k.ID, k.Name)
	}
}
