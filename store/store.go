// Package store keeps modelrouter's state in one SQLite file: the decision
// log (written asynchronously by one goroutine), feedback on answers, client
// API keys and deployments created through the management API.
//
// The file is an ordinary SQLite database in WAL mode, so `sqlite3` can read
// it while the server runs.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3" // also registers the "sqlite3" driver
)

// driverName is go-sqlite3 with the settings its DSN cannot carry, run on
// every connection the store opens.
const driverName = "sqlite3_modelrouter"

// walSizeLimit is the journal_size_limit of every store connection. A long
// read (a `sqlite3` shell left in a transaction, a slow report) keeps every
// later commit in the -wal file, which grows to hold them; without a limit
// SQLite keeps the file at that size, reusing it, until the last
// connection closes. With one, the file is cut back to the limit when the
// WAL next starts over after a checkpoint. 8 MiB is twice the size the
// default autocheckpoint (1000 pages of 4 KiB) lets the WAL reach in
// ordinary traffic, so the file is cut back only after it outgrew that,
// never truncated and regrown on every checkpoint.
const walSizeLimit = 8 << 20

func init() {
	sql.Register(driverName, &sqlite3.SQLiteDriver{
		ConnectHook: func(c *sqlite3.SQLiteConn) error {
			// go-sqlite3 has no DSN setting for it.
			_, err := c.Exec(fmt.Sprintf("PRAGMA journal_size_limit = %d", walSizeLimit), nil)
			return err
		},
	})
}

// Store is an open database. It is safe for concurrent use.
type Store struct {
	db  *sql.DB
	log *Log
	// walCheckpoints empties the -wal file while it is oversized (nil for
	// ":memory:" and a read-only store).
	walCheckpoints *checkpointer

	// readOnly marks a store from OpenForReading, which writes nothing.
	readOnly bool

	closeOnce sync.Once
	closeErr  error
	// deploymentsVersion counts deployment writes (DeploymentsVersion).
	deploymentsVersion atomic.Uint64
	// Now is the clock for the times the store writes; tests replace it
	// right after Open.
	Now func() time.Time
}

// Option changes how Open sets the store up.
type Option func(*config)

type config struct {
	busyTimeout time.Duration
	logBuffer   int
	batchSize   int
	commitEvery time.Duration
	closeWait   time.Duration
	heldLimit   int64
	logger      *slog.Logger
	// checkpointEvery is how often the -wal file's size is looked at
	// (checkpoint.go); tests shorten it.
	checkpointEvery time.Duration
}

// WithBusyTimeout sets how long a statement waits for another connection's
// write lock (default 5 s). Past it the decision log holds its rows in
// memory and retries them until the lock is released (see WithHeldLimit).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// WithLogBuffer sets the decision log's channel capacity (default 8192).
// Records beyond it go to an overflow list, so it bounds memory only in the
// common case, never correctness.
func WithLogBuffer(n int) Option { return func(c *config) { c.logBuffer = n } }

// WithBatchSize sets the most decision rows committed in one transaction
// (default 256).
func WithBatchSize(n int) Option { return func(c *config) { c.batchSize = n } }

// WithCommitInterval sets how long the decision log gathers rows before it
// commits them in one transaction (default 10 ms; 0 commits each row as
// soon as the writer is free). Rows reach the database that much later;
// Flush and Close still wait for every row.
func WithCommitInterval(d time.Duration) Option { return func(c *config) { c.commitEvery = d } }

// DefaultCommitInterval is the decision log's default WithCommitInterval.
const DefaultCommitInterval = 10 * time.Millisecond

// WithCloseTimeout bounds how long Close waits for the decision log to
// drain (default 30 s), so a broken disk cannot hang shutdown forever.
func WithCloseTimeout(d time.Duration) Option { return func(c *config) { c.closeWait = d } }

// WithHeldLimit bounds the memory the decision log holds rows in while the
// database cannot take them (disk full or failing, or another process's
// write lock kept past the busy timeout), in bytes as estimated
// (default 256 MiB). Past it the oldest held rows are dropped and counted as
// failed.
func WithHeldLimit(bytes int64) Option { return func(c *config) { c.heldLimit = bytes } }

// DefaultHeldLimit is the decision log's default WithHeldLimit.
const DefaultHeldLimit = 256 << 20

// WithLogger sets where the store reports write failures (default
// slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Open opens (creating if needed) the database at path, applies pending
// migrations and starts the decision log writer. path may be ":memory:"
// for a throwaway database held by a single connection (so a callback of
// EachDecision must not call back into the store).
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{busyTimeout: 5 * time.Second, logBuffer: 8192, batchSize: 256, commitEvery: DefaultCommitInterval, closeWait: 30 * time.Second,
		heldLimit: DefaultHeldLimit, logger: slog.Default(), checkpointEvery: checkpointEvery}
	for _, o := range opts {
		o(&cfg)
	}
	if path == "" {
		return nil, errors.New("open store: empty database path")
	}
	// go-sqlite3 reads its settings after the first '?', so a path holding
	// one would be cut short silently.
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open store: database path %q may not contain '?' or '#'", path)
	}
	if cfg.logBuffer < 1 || cfg.batchSize < 1 || cfg.commitEvery < 0 || cfg.heldLimit < 1 {
		return nil, fmt.Errorf("open store: log buffer (%d), batch size (%d) and held-rows limit (%d) must be positive, commit interval (%s) not negative",
			cfg.logBuffer, cfg.batchSize, cfg.heldLimit, cfg.commitEvery)
	}
	memory := path == ":memory:"
	if !memory {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		createOwnerOnly(path)
	}
	// _txlock=immediate takes the write lock at BEGIN, so two writers wait on
	// busy_timeout instead of failing with SQLITE_BUSY on lock upgrade.
	// synchronous=NORMAL is durable across process crashes in WAL mode and
	// avoids an fsync per commit.
	dsn := fmt.Sprintf("%s?_journal_mode=WAL&_foreign_keys=on&_busy_timeout=%d&_txlock=immediate&_synchronous=NORMAL",
		path, cfg.busyTimeout.Milliseconds())
	db, err := sql.Open(driverName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if memory {
		// Each connection to ":memory:" is its own empty database.
		db.SetMaxOpenConns(1)
	} else {
		// Readers run in parallel under WAL; writers queue on the lock. A
		// bound keeps a burst of key checks from opening a connection each.
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
	}
	if err := migrate(context.Background(), db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, Now: time.Now}
	if s.log, err = newLog(db, cfg.logBuffer, cfg.batchSize, cfg.commitEvery, cfg.heldLimit, cfg.logger); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.log.closeWait = cfg.closeWait
	s.log.now = s.now
	if !memory {
		s.walCheckpoints = startCheckpointer(db, path, cfg.checkpointEvery, cfg.busyTimeout, cfg.logger)
	}
	return s, nil
}

// createOwnerOnly makes an empty file at path, readable and writable by its
// owner only, where there is none. SQLite would make it 0644 under the
// usual umask, and gives its -wal and -shm files the database's mode: the
// file holds conversations (kept Responses answers, prompts with
// --keep-prompts) and every key's budget, which other users of the host
// have no business reading. A file that is there keeps its mode. Where
// the file cannot be made here, SQLite's open says why, as before.
// O_EXCL: a file that is there is never opened, not even to close again,
// since closing any descriptor of a file drops the POSIX locks this
// process holds on it, as SQLite's through another Store would be.
// O_EXCL does not follow a symbolic link, which SQLite does: the file a
// link names is made instead (linkTarget).
func createOwnerOnly(path string) {
	if f, err := os.OpenFile(linkTarget(path), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	}
}

// linkTarget is the path that path's chain of symbolic links ends at,
// which may name no file yet; path itself where it is no link.
func linkTarget(path string) string {
	for range 40 { // as the kernel's limit on links followed
		target, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = target
	}
	return path
}

// DB returns the underlying database for read-only reporting queries.
// Writes go through the Store's methods.
func (s *Store) DB() *sql.DB { return s.db }

// Log returns the decision log; hand it to the server as its
// router.DecisionLog.
func (s *Store) Log() *Log { return s.log }

// Close drains the decision log, waiting at most the close timeout, then
// closes the database. It reports rows that could not be written. Later
// calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.readOnly {
			// Nothing was written: no log to drain, no statistics to
			// refresh.
			s.closeErr = s.db.Close()
			return
		}
		if s.walCheckpoints != nil {
			// Before the drain, so that no checkpoint holds the write
			// lock the last rows wait for.
			s.walCheckpoints.Stop()
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.log.closeWait)
		defer cancel()
		logErr := s.log.Close(ctx)
		optErr := s.optimize(ctx)
		if cannotWrite(optErr) {
			// A file this process may only read (`keys list` on a
			// read-only copy) has been read, another process holds the
			// write lock (a `sqlite3` session inside BEGIN IMMEDIATE),
			// or the disk is full or failing: the command, or the
			// decision log's lost rows, have already said so, and the
			// statistics can wait for a writer.
			optErr = nil
		}
		s.closeErr = errors.Join(logErr, optErr, s.db.Close())
	})
	return s.closeErr
}

// optimize refreshes the query planner's statistics where they are stale,
// as SQLite recommends before closing a long-lived connection. That is
// worth no wait at shutdown: it runs on a connection that gives up on
// another process's write lock at once rather than after busy_timeout, on
// top of the decision log's last try. Close closes the connection with the
// rest right after.
func (s *Store) optimize(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "PRAGMA optimize")
	return err
}

// rollbackSQL is what endPinned runs; a test makes it fail.
var rollbackSQL = "ROLLBACK"

// endPinned rolls back the transaction begun by hand (BEGIN ...) on conn,
// a connection pinned with db.Conn, before conn goes back to the pool.
// database/sql knows nothing of such a transaction: were the connection
// returned still inside it, its next user would fail at BEGIN ("cannot
// start a transaction within a transaction"), or a plain write would
// land in the old transaction, never to be committed, holding the write
// lock meanwhile. So the rollback runs whatever became of ctx, and where
// it fails with the connection still in the transaction (SQLite's
// autocommit flag off), the connection is dropped from the pool, which
// closes it and so ends the transaction. A rollback that fails because
// SQLite already ended the transaction itself keeps the connection.
func endPinned(ctx context.Context, conn *sql.Conn) {
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), rollbackSQL); err == nil {
		return
	}
	// Raw's f returning driver.ErrBadConn makes database/sql close the
	// connection rather than pool it.
	conn.Raw(func(dc any) error { //nolint:errcheck
		if c, ok := dc.(*sqlite3.SQLiteConn); ok && c.AutoCommit() {
			return nil
		}
		return driver.ErrBadConn
	})
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
