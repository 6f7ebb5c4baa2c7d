package store_test

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// The decision log is the gateway's billing and training record, so an
// operator backs it up while the server runs. The README's decision log
// section must say how, with a command that finishes under steady traffic
// and copies every committed row: `sqlite3 FILE .backup` restarts its copy
// whenever another connection writes, so on a busy gateway it never ends,
// and a `cp` of the file misses what is still in the -wal file.
func TestReadmeBackupCommandCopiesALiveLog(t *testing.T) {
	command := readmeBackupCommand(t)
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("sqlite3 not installed")
	}
	dir := t.TempDir()
	// The README writes the copy to a folder of the operator's; here it
	// goes to the test's own.
	backup := filepath.Join(dir, "backup.db")
	target := regexp.MustCompile(`'[^']*'`)
	require.Len(t, target.FindAllString(command, -1), 1, "the backup command names one target file: %s", command)
	command = target.ReplaceAllLiteralString(command, "'"+backup+"'")

	path := filepath.Join(dir, "data", "modelrouter.db")
	s, err := store.Open(path, store.WithCommitInterval(0))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	// A log of some size (kept prompts stand in for the rows' bulk), so
	// copying it takes longer than the pause between two requests.
	long := strings.Repeat("a prompt kept with --keep-prompts ", 300)
	const before = 2000
	for i := range before {
		r := sampleRecord(requestID(i), sampleTime)
		r.PromptText = long
		s.Log().Record(r)
	}
	require.NoError(t, s.Log().Flush(context.Background()))

	// Steady traffic, one commit after another, for as long as the backup
	// runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var trafficErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 100_000; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			s.Log().Record(sampleRecord(requestID(i), sampleTime))
			if trafficErr = s.Log().Flush(context.Background()); trafficErr != nil {
				return
			}
		}
	}()

	// The README's command, run from the folder that holds data/. A
	// command that never finishes fails the test when the context ends.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Dir = dir
	// Ending the context ends the shell and the sqlite3 it started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	close(stop)
	wg.Wait()
	require.NoError(t, err, "%s under steady traffic (context: %v): %s", command, ctx.Err(), out)
	require.NoError(t, trafficErr)

	b, err := sql.Open("sqlite3", "file:"+backup+"?mode=ro")
	require.NoError(t, err)
	defer b.Close()
	var check string
	var n int
	require.NoError(t, b.QueryRow(`PRAGMA integrity_check`).Scan(&check))
	require.NoError(t, b.QueryRow(`SELECT count(*) FROM decisions WHERE request_id < 'req-1'`).Scan(&n))
	require.Equal(t, "ok", check)
	require.Equal(t, before, n, "the copy holds every row committed before it began")
}

// readmeBackupCommand returns the `sqlite3 ...` line of the README's
// decision log section that copies the database.
func readmeBackupCommand(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, section, _ := strings.Cut(string(readme), "\n## Decision log\n")
	section, _, _ = strings.Cut(section, "\n## ")
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "sqlite3 ") && (strings.Contains(line, "VACUUM INTO") || strings.Contains(line, ".backup")) {
			return line
		}
	}
	t.Fatal("the README's decision log section gives no way to back up the log while the server runs")
	return ""
}
