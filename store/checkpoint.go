package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// SQLite's automatic checkpoint (PASSIVE, run by the committing connection
// once the WAL passes 1000 pages) never waits for a reader. That keeps
// commits fast, but the -wal file starts over from its beginning only when
// a writer finds every frame checkpointed and no reader using the WAL. Two
// things deny it that moment:
//
//   - a read left open (a `sqlite3` session inside a transaction, a long
//     report): nothing after its snapshot can be checkpointed while it
//     lasts, and no checkpoint can help; once it ends, the file is cut back
//     (journal_size_limit) only by the commits that follow, so a gateway
//     with no traffic after it kept the whole grown file;
//   - the gateway's own short reads (key checks, budgets, lookups) when they
//     overlap without a gap: the WAL is fully checkpointed, but some reader
//     always holds it, so it is never restarted and grows with every row
//     (BenchmarkWALBesideOverlappingReaders: 67-101 MiB after 4,000 rows).
//
// So the store runs its own checkpoint, as SQLite's documentation
// suggests for checkpoint starvation and as tools that run SQLite under
// steady writes do (Litestream, rqlite): while the -wal file is over
// walSizeLimit, a TRUNCATE checkpoint, which waits for the readers of the
// moment to finish, checkpoints every frame and empties the file. It waits
// at most checkpointBusyWait, during which it holds the write lock (the
// decision log's rows queue meanwhile, and other writes wait within their
// busy timeout): a read that outlasts the wait makes it give up and try
// again later, at doubling intervals while that goes on, so a `sqlite3`
// session left open for hours does not stall the writer every second.

// checkpointEvery is how often the checkpointer looks at the -wal file's
// size; a failed checkpoint's next try waits up to checkpointMaxBackoff
// times as long.
const (
	checkpointEvery      = time.Second
	checkpointMaxBackoff = 32
	checkpointBusyWait   = 100 * time.Millisecond
)

// checkpointer empties the -wal file while it is over walSizeLimit (see
// above). Stop ends it before the database closes.
type checkpointer struct {
	db          *sql.DB
	walPath     string
	every       time.Duration
	busyTimeout time.Duration // the store's, restored on the connection after each try
	logger      *slog.Logger
	stop        chan struct{}
	done        chan struct{}
}

func startCheckpointer(db *sql.DB, dbPath string, every, busyTimeout time.Duration, logger *slog.Logger) *checkpointer {
	c := &checkpointer{db: db, walPath: dbPath + "-wal", every: every, busyTimeout: busyTimeout, logger: logger,
		stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTimer(c.every)
	defer t.Stop()
	fails := 0 // tries in a row that a reader or another checkpoint kept from emptying the file
	for {
		select {
		case <-c.stop:
			return
		case <-t.C:
		}
		emptied, err := c.tryOnce()
		if err != nil {
			c.logger.Warn("decision log: WAL checkpoint failed", "error", err)
		}
		switch {
		case emptied || err == nil && !c.oversized():
			fails = 0
		default:
			fails++
		}
		t.Reset(c.wait(fails))
	}
}

// wait is how long the next try waits after fails failed tries in a row.
// One or two are most likely a moment's overlap of short reads, or
// SQLite's own checkpoint running: the next second will do. More are a
// read that lasts, which the intervals then double for, up to
// checkpointMaxBackoff times the usual one.
func (c *checkpointer) wait(fails int) time.Duration {
	if fails <= 2 {
		return c.every
	}
	return c.every * time.Duration(min(1<<(fails-2), checkpointMaxBackoff))
}

// oversized reports whether the -wal file is over walSizeLimit; no file
// (not written yet) is not.
func (c *checkpointer) oversized() bool {
	fi, err := os.Stat(c.walPath)
	return err == nil && fi.Size() > walSizeLimit
}

// Stop ends the checkpointer and waits for a checkpoint under way.
func (c *checkpointer) Stop() {
	close(c.stop)
	<-c.done
}

// tryOnce checkpoints and empties the -wal file if it is over walSizeLimit.
// It reports false, with no error, when the file is small enough or a
// reader kept it from finishing.
func (c *checkpointer) tryOnce() (emptied bool, err error) {
	if !c.oversized() {
		return false, nil
	}
	ctx := context.Background()
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	// The wait is the connection's busy timeout: short for this one call,
	// then the store's again before the connection goes back to the pool.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", checkpointBusyWait.Milliseconds())); err != nil {
		return false, err
	}
	defer func() {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", c.busyTimeout.Milliseconds())); err != nil {
			// Never pool a connection that would give up on a lock
			// after 100 ms.
			conn.Raw(func(any) error { return driver.ErrBadConn }) //nolint:errcheck
		}
	}()
	var busy, walPages, checkpointed int
	if err := conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &walPages, &checkpointed); err != nil {
		return false, err
	}
	return busy == 0, nil
}
