package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// serve --db naming another application's SQLite file (a mistyped path)
// refuses it and leaves it as it was, as every keys command does: no
// modelrouter tables added, no switch to WAL.
func TestServeRefusesAnotherApplicationsDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE users(id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'x')`)
	require.NoError(t, err)
	require.NoError(t, db.Close())

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := serveOptions{
		addr: "127.0.0.1:0", db: path, grace: time.Second, maxBody: 1 << 20,
		affinityTTL: time.Hour, bodyTimeout: time.Minute,
		predictor: fixedPredictor(t),
		listening: func(string) { cancel() }, // started: stop it again
		logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	require.ErrorContains(t, serve(ctx, o), "no decisions table")

	db, err = sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer db.Close()
	var tables int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table'`).Scan(&tables))
	assert.Equal(t, 1, tables, "serve added tables to another application's database")
	var mode string
	require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "delete", mode)
}

// A database serve made itself, and an empty file (made with touch before
// a bind mount), still serve.
func TestServeOpensItsOwnOrAnEmptyDatabase(t *testing.T) {
	fake := upstreamtest.NewOpenAI(t)
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.db")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))
	for _, db := range []string{filepath.Join(dir, "own.db"), filepath.Join(dir, "own.db"), empty} {
		_, stop, done := startServe(t, fake, db, nil)
		stop()
		require.NoError(t, <-done, db)
	}
}
