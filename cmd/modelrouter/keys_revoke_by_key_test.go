package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// An operator who holds a leaked key's value revokes it by that value:
// the key is found by its hash, and neither the answer nor a refusal
// prints the secret (a terminal's scrollback, a CI log), as a key never
// appears in errors.
func TestKeysRevokeTakesTheKeyItselfAndNeverPrintsIt(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "k.db")
	keys := keysOn(ctx, db)
	out, err := keys("create", "--name", "leaked")
	require.NoError(t, err)
	s, err := store.Open(db)
	require.NoError(t, err)
	keysNow, err := s.ListKeys(ctx)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Len(t, keysNow, 1)
	plain := out[:46]
	require.Equal(t, keysNow[0].Prefix, plain[:11], out)

	out, err = keys("budget", plain, "--usd", "5")
	require.NoError(t, err, out)
	assert.NotContains(t, out, plain)
	out, err = keys("revoke", plain)
	require.NoError(t, err, out)
	assert.Contains(t, out, keysNow[0].ID)
	assert.NotContains(t, out, plain)

	s, err = store.Open(db)
	require.NoError(t, err)
	_, err = s.VerifyKey(ctx, plain)
	require.NoError(t, s.Close())
	assert.Error(t, err, "the key still opens the gateway after keys revoke")

	// A key this database never made: refused without echoing it.
	unknown := "mr-" + strings.Repeat("Zq9", 14) + "x"
	out, err = keys("revoke", unknown)
	require.Error(t, err)
	assert.NotContains(t, out+err.Error(), unknown)
	assert.NotContains(t, err.Error(), unknown[11:])
}
