package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/store"
)

// The same as a server holding the file by its own path, with --db naming
// a link to it: SQLite keeps the -wal file beside the linked file, so the
// file is in use though no -wal file is beside the link.
func TestCLIKeysListThroughALinkLeavesTheSchemaOfADatabaseAServerHoldsOpen(t *testing.T) {
	path := olderReleaseDB(t)
	conn := holdOpenInWALMode(t, path)
	link := filepath.Join(t.TempDir(), "modelrouter.db")
	require.NoError(t, os.Symlink(path, link))

	_, _, err := runCmd(t, "keys", "list", "--db", link)
	assert.ErrorContains(t, err, "in use")

	var n int
	require.NoError(t, conn.QueryRowContext(context.Background(), `SELECT count(*) FROM migrations WHERE name = '0006_usage_estimated.sql'`).Scan(&n))
	assert.Equal(t, 0, n, "keys list migrated a database its (older) server holds open, named through a link")
}

// report beside a running server, given a link to its database: the
// server's decisions are in its -wal file, beside the linked file, and
// the report must count them as it does given the file's own path.
func TestCLIReportThroughALinkCountsWhatARunningServerLogged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "srv", "modelrouter.db")
	s, err := store.Open(path)
	require.NoError(t, err)
	defer s.Close()
	s.Log().Record(router.Record{RequestID: "r1", Time: time.Now().UTC(), API: "chat.completions", PromptHash: "h",
		Decision: router.Decision{Deployment: "prod", Mode: router.ModeBalanced, ChosenID: "gpt-5-mini",
			Candidates: []router.Candidate{{Model: "gpt-5-mini", Eligible: true, Quality: .9, ExpectedCost: .01}}},
		Answered: "gpt-5-mini", Status: 200, Attempts: []router.Attempt{{Model: "gpt-5-mini", Status: 200}},
		Usage: router.Usage{PromptTokens: 10, CompletionTokens: 5}, CostUSD: .01})
	require.NoError(t, s.Log().Flush(context.Background()))
	link := filepath.Join(dir, "modelrouter.db")
	require.NoError(t, os.Symlink(path, link))

	byPath, _, err := runCmd(t, "report", "--db", path, "--format", "csv")
	require.NoError(t, err)
	require.Contains(t, byPath, "gpt-5-mini")
	byLink, stderr, err := runCmd(t, "report", "--db", link, "--format", "csv")
	require.NoError(t, err, stderr)
	assert.Equal(t, byPath, byLink, "the report through the link differs from the one through the path")
}
