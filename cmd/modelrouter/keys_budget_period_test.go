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
