package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// ErrOlderSchema is wrapped by [OpenForReading] for a database that lacks
// a migration this release knows: reading it would meet missing columns,
// and a reader may not migrate it. A command that writes (Open) upgrades
// it.
var ErrOlderSchema = errors.New("the database is from an older modelrouter")

// OpenForReading opens an existing database that is at this release's
// schema for reading only: it never creates, migrates, switches to WAL or
// writes the file, and beside a stopped server it leaves no -wal or -shm
// file, so a command that only looks (`keys list`, a report, an export)
// works on a read-only mount or file, in a folder the user may not write,
// and beside a running server. The decision log of the returned store takes
// no rows (each is counted as rejected). A database missing a migration is
// refused with [ErrOlderSchema], one with a migration this release does not
// know as from a newer release.
func OpenForReading(path string, opts ...Option) (*Store, error) {
	cfg := config{logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	db, err := openFileReadOnly(path)
	if err != nil {
		return nil, err
	}
	if err := checkSchemaCurrent(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &Store{db: db, log: closedLog(cfg.logger), readOnly: true, Now: time.Now}, nil
}

// checkSchemaCurrent fails unless the migrations table records exactly
// the migrations this release embeds.
func checkSchemaCurrent(db *sql.DB) error {
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'migrations'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errors.New("no migrations table (is this a modelrouter database?)")
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if _, err := refuseUnknownMigrations(context.Background(), db, names); err != nil {
		return err
	}
	for _, file := range names {
		name := path.Base(file)
		if err := db.QueryRow(`SELECT count(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("%w (migration %s not applied)", ErrOlderSchema, name)
		}
	}
	return nil
}

// closedLog is the decision log of a store opened for reading: closed from
// the start, so Record rejects rows and Flush and Close return at once.
func closedLog(logger *slog.Logger) *Log {
	l := &Log{logger: logger, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	l.closeOnce.Do(func() {
		l.closed = true
		close(l.stop)
	})
	close(l.done)
	return l
}

// openFileReadOnly opens the existing SQLite file at path read-only.
//
// A path that is a link is resolved first: SQLite keeps the -wal, -shm and
// -journal files beside the file the link points to, so that is where they
// are looked for.
//
// A database in rollback-journal mode is opened read-only as usual: its
// readers take shared locks in the file itself and make no side file, so
// the reader sees what a live writer commits and a read never overlaps a
// commit. A hot -journal file beside it (a transaction that did not finish,
// whose pages may be in the file) must be rolled back before a read, which
// a read-only connection may not do: SQLite fails the read
// (SQLITE_READONLY_ROLLBACK, or SQLITE_CANTOPEN on a read-only mount), and
// so does this open, rather than present rows that never committed.
//
// A reader of a WAL database normally opens (creating if need be) the -wal
// and -shm files beside it, to take part in the locking of a live writer. A
// read-only connection cannot remove them on its last close, so a command
// that only reads would leave them beside a stopped database, in the
// server's folder, owned by whoever ran it. So a WAL database is opened
// that way only where a -wal file is already there: a connection has it
// open (each keeps its -wal file while open), and the reader must share its
// locks to see what it commits. Where there is none, no connection holds
// the file and all it holds is committed (a WAL database is only written
// at a checkpoint, by a connection that keeps the -wal file until it has
// finished), so it is read as immutable: without locks or side files. That
// also reads a database on a read-only mount or in a folder this user may
// not write, where the side files cannot be made.
//
// One window remains: a WAL writer (serve) that starts after this check,
// while the read goes on. Taking no locks and ignoring the -wal file, the
// reader does not see what that writer commits: it reads a stale
// snapshot, the file as it was when the command began. Should the writer
// also checkpoint into the file during the read, two queries of the reader
// may disagree, or one may fail as reading a malformed file. That is
// accepted for a one-shot command that only reads: it writes nothing, so
// the writer's data is never at risk, and running it again reads the
// current state. Refusing instead would leave a user who may not write the
// folder no way to read the database while the server is stopped, and
// taking part in the locking would leave the side files behind.
func openFileReadOnly(path string) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open %q: the path may not contain '?' or '#'", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open decision log: %w", err)
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil, fmt.Errorf("open decision log: %w", err)
	}
	if strings.ContainsAny(target, "?#") {
		return nil, fmt.Errorf("open %q: it links to %q, and the path may not contain '?' or '#'", path, target)
	}
	// A file: URI decodes %XX: a literal % in the path must stay one.
	uri := "file:" + strings.ReplaceAll(target, "%", "%25") + "?mode=ro&_busy_timeout=5000&_query_only=true"
	walMode := inWALMode(target)
	wal := sideFileExists(target + "-wal")
	if walMode && !wal {
		return openImmutable(path, uri)
	}
	db, err := sql.Open("sqlite3", uri)
	if err != nil {
		return nil, fmt.Errorf("open decision log %s: %w", path, err)
	}
	var se sqlite3.Error
	var n int
	err = db.QueryRow(`SELECT count(*) FROM sqlite_master`).Scan(&n)
	if !errors.As(err, &se) || se.Code != sqlite3.ErrCantOpen && se.Code != sqlite3.ErrReadonly {
		return db, nil
	}
	// This user may not create or change the side files (a read-only
	// mount, which SQLite reports as SQLITE_CANTOPEN, or a folder this user
	// may not write, SQLITE_READONLY).
	if !wal {
		// Rollback-journal mode: a hot -journal file, which only a
		// connection that may write rolls back.
		db.Close()
		return nil, fmt.Errorf("open decision log %s: %s-journal beside it holds a write that did not finish, which a command that only reads may not roll back (%v): roll it back once where the file can be written, with `sqlite3 %s 'SELECT 1'` (or serve), then read it again", path, target, err, target)
	}
	if !sideFileExists(target + "-shm") {
		// A copy of the database and its -wal file without the -shm file:
		// SQLite needs the -shm file to read the -wal file, and this folder
		// takes no new one.
		db.Close()
		return nil, fmt.Errorf("open decision log %s: %s exists but %s-shm beside it does not, and it cannot be created here: copy the -shm file too, or check the database out with `sqlite3 %s 'PRAGMA wal_checkpoint'` where it can be written", path, target+"-wal", target, target)
	}
	return db, nil
}

// inWALMode reports whether the SQLite file at path is in WAL mode: bytes
// 18 and 19 of its header (the file format write and read versions) are
// both 2 in WAL mode and 1 in rollback-journal mode. A file too short for
// a header is an empty database, not in WAL mode.
func inWALMode(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var header [20]byte
	if _, err := io.ReadFull(f, header[:]); err != nil {
		return false
	}
	return header[18] == 2 && header[19] == 2
}

func openImmutable(path, uri string) (*sql.DB, error) {
	db, err := sql.Open("sqlite3", uri+"&immutable=1")
	if err != nil {
		return nil, fmt.Errorf("open decision log %s: %w", path, err)
	}
	return db, nil
}

func sideFileExists(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}
