package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// `keys create --name N --budget-period day` without --budget-usd asks for a
// daily budget and names no amount. Creating the key with no cap and exit 0
// leaves the operator believing the key is capped; it is refused before any
// key is made, as `deployments put` refuses flags it would drop.
func TestKeysCreateRefusesABudgetPeriodWithoutAnAmount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"keys", "create", "--name", "batch", "--budget-period", "day", "--db", db}, &stdout, &bytes.Buffer{})
	require.Error(t, err, "a period with no amount is refused")
	assert.Equal(t, 2, exitCode(err), "a command line that asks for two things at odds is a usage error")
	assert.Empty(t, stdout.String(), "no key was printed")

	s, err := store.Open(db)
	if err == nil {
		defer s.Close()
		keys, lerr := s.ListKeys(context.Background())
		require.NoError(t, lerr)
		assert.Empty(t, keys, "no key was created")
	}
}

// An amount out of range is named as the problem, with or without a period:
// the operator gave --budget-usd, so "needs --budget-usd" would send them
// looking for the wrong mistake. It is refused like any value out of range
// (exit 1), before a key is made.
func TestKeysCreateNegativeBudgetWithAPeriodNamesTheAmount(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, _, err := runCmd(t, "keys", "create", "--name", "batch", "--budget-usd", "-1", "--budget-period", "day", "--db", db)
	require.Error(t, err)
	assert.Equal(t, 1, exitCode(err))
	assert.Contains(t, err.Error(), "budget -1 USD: want 0 (no cap)")
	assert.NotContains(t, err.Error(), "needs --budget-usd")
	assert.Empty(t, out, "no key was printed")

	_, _, err = runCmd(t, "keys", "budget", "key_0123456789ab", "--usd", "-1", "--db", db)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "budget -1 USD: want 0 (no cap)", "keys budget names the amount too")
}

// --budget-usd 0 is "no cap" (the flag's help says so), and a period does
// not change that: the key is made, and the line about it says it has no
// budget, so no one is left believing it is capped. `keys budget --usd 0
// --period day` takes the same pair.
func TestKeysCreateZeroBudgetWithAPeriodMakesAnUncappedKeyAndSaysSo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "m.db")
	out, stderr, err := runCmd(t, "keys", "create", "--name", "batch", "--budget-usd", "0", "--budget-period", "day", "--db", db)
	require.NoError(t, err)
	assert.NotEmpty(t, out, "the key")
	assert.Contains(t, stderr, "budget none")
}
