package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The commands that only read (keys list, report, export-feedback,
// simulate --db) leave the database's folder as they found it: with the
// server stopped, no -wal or -shm file is left behind, owned by whoever ran
// the command.
func TestCLIReadingCommandsLeaveNoFilesBesideAStoppedDatabase(t *testing.T) {
	path := writeLog(t, 2)
	s, err := store.Open(path)
	require.NoError(t, err)
	_, _, err = s.CreateKey(context.Background(), "dashboard")
	require.NoError(t, err)
	require.NoError(t, s.Close())
	list := func() []string {
		entries, err := os.ReadDir(filepath.Dir(path))
		require.NoError(t, err)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		slices.Sort(names)
		return names
	}
	before := list()
	require.Equal(t, []string{filepath.Base(path)}, before)

	for _, args := range [][]string{{"keys", "list", "--db", path}, {"report", "--db", path}} {
		_, _, err := runCmd(t, args...)
		require.NoError(t, err, args)
		assert.Equal(t, before, list(), "%v left files beside the database", args)
	}
}
