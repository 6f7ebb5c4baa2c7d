package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
	"github.com/modelrouter/modelrouter/store"
)

// With --router-model, SIGHUP means "reload the folder", also while serve
// is still starting (a deploy that restarts the server and then asks for a
// reload): the signal does not end the server, and the reload is done once
// it serves. Here serve has loaded the model and waits at the database,
// whose write lock the test holds, when the signal comes; without a
// handler by then, the hangup ends the whole test process.
func TestSIGHUPWhileServeStartsReloadsOnceItServes(t *testing.T) {
	dir := servedCopy(t)
	db := filepath.Join(t.TempDir(), "m.db")
	st, err := store.Open(db)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	ctx := context.Background()
	lockDB, err := sql.Open("sqlite3", db+"?_journal_mode=WAL")
	require.NoError(t, err)
	defer lockDB.Close()
	lock, err := lockDB.Conn(ctx)
	require.NoError(t, err)
	defer lock.Close()
	_, err = lock.ExecContext(ctx, "BEGIN IMMEDIATE")
	require.NoError(t, err)

	fake := upstreamtest.NewOpenAI(t)
	addr := make(chan string, 1)
	serveCtx, stop := context.WithCancel(ctx)
	defer stop()
	o := serveOptions{
		addr: "127.0.0.1:0", db: db, grace: time.Second, maxBody: 1 << 20,
		affinityTTL: time.Hour, bodyTimeout: time.Minute, routerModel: dir, adminKey: reloadAdminKey,
		environ:   []string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=" + fake.URL},
		listening: func(a string) { addr <- a },
		logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	done := make(chan error, 1)
	go func() { done <- serve(serveCtx, o) }()

	// serve opens the database only once the router model is loaded.
	require.Eventually(t, func() bool { return filesOpenAt(t, db) >= 2 }, time.Minute, 2*time.Millisecond,
		"serve did not get to the database")
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGHUP))
	_, err = lock.ExecContext(ctx, "COMMIT")
	require.NoError(t, err)

	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(time.Minute): // hang guard
		t.Fatal("serve did not start")
	}
	require.Eventually(t, func() bool { return routerModelInfo(t, base).Replaced != "" }, 30*time.Second, 20*time.Millisecond,
		"the SIGHUP that came while serve started was not done once it served")
	stop()
	require.NoError(t, <-done)
}

// filesOpenAt counts this process's open files that are path.
func filesOpenAt(t *testing.T, path string) int {
	t.Helper()
	target, err := filepath.EvalSymlinks(path)
	require.NoError(t, err)
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd to see open files: %v", err)
	}
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name())); err == nil && l == target {
			n++
		}
	}
	return n
}
