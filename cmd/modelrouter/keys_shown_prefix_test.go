package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// keys revoke and keys budget take a key by id or by the prefix shown in
// the list, which prints it with a trailing "…": the PREFIX column pasted
// as shown names the key.
func TestKeysRevokeByPrefixShownInList(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "k.db")
	keys := keysOn(ctx, db)
	_, err := keys("create", "--name", "ci-pipeline")
	require.NoError(t, err)
	list, err := keys("list")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(list), "\n")
	require.GreaterOrEqual(t, len(lines), 2, list)
	shown := strings.Fields(lines[1])[1] // the PREFIX column, as shown
	t.Logf("keys list:\n%s\nshown prefix: %q", list, shown)

	out, err := keys("budget", shown, "--usd", "5", "--period", "day")
	require.NoError(t, err, "keys budget by the shown prefix %q: %s", shown, out)
	out, err = keys("revoke", shown)
	require.NoError(t, err, "keys revoke by the shown prefix %q: %s", shown, out)
}

// keysOn runs `modelrouter keys` on the database db, returning what it
// printed on stdout and stderr together, as a terminal shows them.
func keysOn(ctx context.Context, db string) func(args ...string) (string, error) {
	return func(args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := runKeys(ctx, append(args, "--db", db), &out, &errb)
		return out.String() + errb.String(), err
	}
}
