package main

import (
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelrouter/modelrouter/store"
)

// openExistingStore opens a modelrouter database that must already exist,
// after checking, read-only, that it is one: store.Open migrates a file and
// switches it to WAL, and a mistyped --db must not do that to another
// application's SQLite file. Nor does it upgrade a file from an older
// release that another process holds (see holderOf).
func openExistingStore(path string) (*store.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (wrong --db?): %w", path, err)
	}
	h := holderOf(path)
	db, err := store.OpenReadOnly(path)
	if err != nil {
		return nil, err
	}
	_ = db.Close()
	if h.held {
		// Only an older schema stops a held file here; any other error
		// is left to store.Open, which reports it as before.
		s, err := store.OpenForReading(path)
		if err == nil {
			_ = s.Close()
		} else if errors.Is(err, store.ErrOlderSchema) {
			return nil, h.refuseUpgrade(err)
		}
	}
	return store.Open(path)
}

// openStoreForReading opens an existing modelrouter database for a command
// that only reads it (`keys list`, export-feedback, simulate --db) without
// writing to the file or its folder, so it works on a read-only mount. A
// file from an older release lacks columns these commands read: it is
// upgraded as serve would, by the writing open, where it can be written
// and no other process has it open (see holderOf); where it cannot be
// written, the error says to upgrade it once where it can. A file from a
// newer release is refused by both opens.
func openStoreForReading(path string) (*store.Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (wrong --db?): %w", path, err)
	}
	h := holderOf(path)
	s, err := store.OpenForReading(path)
	if !errors.Is(err, store.ErrOlderSchema) {
		return s, err
	}
	if refused := h.refuseUpgrade(err); refused != nil {
		return nil, refused
	}
	s, upErr := openExistingStore(path)
	if upErr != nil {
		return nil, fmt.Errorf("%w, and it cannot be upgraded here (%v): upgrade it once where the file can be written, by running `modelrouter serve --db %s` (or any command that writes it)", err, upErr, path)
	}
	return s, nil
}

// dbHolder says whether another process holds a database open.
type dbHolder struct {
	target string // the database's file, a link resolved
	held   bool
}

// holderOf looks for another process holding the database at path open.
// A file another process has open is not upgraded: that is most likely
// the older release's serve, which would go on with a schema it did not
// write and, once restarted, refuse the file as from a newer release. A
// WAL connection keeps the -wal file beside the database while it is open
// (the last to close removes it), so that file tells; SQLite keeps it
// beside the file a link points to. Call it before opening the file: a
// reader that shares a holder's locks may leave that file behind, and
// what counts is whether another process held the file then. A server
// that starts after this look is not seen; its own open then waits for
// the upgrade and refuses the file, as it would after any upgrade.
func holderOf(path string) dbHolder {
	target := path
	if r, err := filepath.EvalSymlinks(path); err == nil {
		target = r
	}
	wal, err := os.Stat(target + "-wal")
	return dbHolder{target: target, held: err == nil && wal.Mode().IsRegular()}
}

// refuseUpgrade is the error for a database from an older release (older
// wraps store.ErrOlderSchema) that another process holds; nil where none
// does, and it may be upgraded.
func (h dbHolder) refuseUpgrade(older error) error {
	if !h.held {
		return nil
	}
	return fmt.Errorf("%w, and is in use (%s-wal is beside it): stop the server that uses it, or use the release it runs, then run again (a server that stopped uncleanly leaves that file too: starting and stopping it removes it)", older, h.target)
}

// openDecisionLog opens the decision log at path for `report`. A report
// only reads, and only decisions columns the first release made, so any
// modelrouter database with a decisions table opens, from an older or a
// newer release, without a schema check and without being upgraded (it
// may be an archive or on a read-only mount).
func openDecisionLog(path string) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no database at %s (wrong --db?): %w", path, err)
	}
	return store.OpenReadOnly(path)
}

// openOrCreateStore is openExistingStore for a file that exists, and makes
// a new database where none does, or in an empty file (one made with touch
// before a bind mount, or by mktemp), as serve does. A SQLite file with no
// table but migrations is one another process (a serve starting beside
// `keys create`) is creating: store.Open waits for its migrations rather
// than refuse the file as not a modelrouter database.
func openOrCreateStore(path string) (*store.Store, error) {
	if info, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) || err == nil && info.Mode().IsRegular() && info.Size() == 0 {
		return store.Open(path)
	}
	if creating, err := store.BeingCreated(path); err == nil && creating {
		return store.Open(path)
	}
	return openExistingStore(path)
}

// refuseForeignDatabase is serve's check before store.Open, which makes a
// database where none is: a file at path with tables of its own but no
// decisions table is another application's (a mistyped --db), and serve
// refuses it rather than add its tables and switch it to WAL. A missing
// or empty file, and one another process is creating, pass; a file that
// is not SQLite is left to store.Open to report.
func refuseForeignDatabase(path string) error {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() || info.Size() == 0 {
		return nil
	}
	if creating, err := store.BeingCreated(path); err != nil || creating {
		return nil
	}
	db, err := store.OpenReadOnly(path)
	if err != nil {
		return fmt.Errorf("%w; give --db a modelrouter database, or a path where none is yet", err)
	}
	return db.Close()
}

// checkOutDir refuses an --out that cannot become a folder (a file, or a
// path through one) before any work: a run of minutes must not end on
// "not a directory", nor print results it then fails to write.
func checkOutDir(path string) error {
	if path == "" {
		return nil
	}
	for p := filepath.Clean(path); ; p = filepath.Dir(p) {
		info, err := os.Stat(p)
		switch {
		case err == nil && info.IsDir():
			return nil
		case err == nil:
			return fmt.Errorf("--out %s: %s is a file, not a folder", path, p)
		case !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("--out %s: %w", path, err)
		}
		if parent := filepath.Dir(p); parent == p {
			return nil
		}
	}
}
