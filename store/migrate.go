package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"time"
)

// migrations are the schema changes, applied in file-name order. Never edit
// an applied file: add a new one.
//
//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies each migration not yet recorded in the migrations table,
// each in its own transaction, so a failed one leaves the earlier ones in
// place and is retried on the next Open. It refuses a database that records
// a migration this binary does not know: a newer release wrote it, and an
// older binary would serve on it while ignoring what the newer columns
// mean (a key's budget, the key that owns a stored response).
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	applied, err := refuseUnknownMigrations(ctx, db, names)
	if err != nil {
		return err
	}
	for _, name := range names {
		// One already applied is skipped without a transaction: opening
		// a database that is up to date takes no write lock, so it opens
		// beside a writer that holds one (a `sqlite3` session inside
		// BEGIN IMMEDIATE), and only a write of its own waits on it.
		if slices.Contains(applied, path.Base(name)) {
			continue
		}
		if err := applyMigration(ctx, db, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func applyMigration(ctx context.Context, db *sql.DB, file string) error {
	body, err := migrations.ReadFile(file)
	if err != nil {
		return err
	}
	name := path.Base(file)
	// The check runs inside the (immediate) transaction, so two processes
	// opening a fresh file at once cannot both apply it.
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied) VALUES (?, ?)`, name, formatTS(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// refuseUnknownMigrations returns the names of the migrations the table
// records, and fails if it names one that is not among known (the
// embedded files), before this binary changes anything in the file.
func refuseUnknownMigrations(ctx context.Context, db *sql.DB, known []string) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM migrations ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	defer rows.Close()
	var applied []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read migrations: %w", err)
		}
		if !slices.Contains(known, "migrations/"+name) {
			return nil, fmt.Errorf("the database was written by a newer modelrouter (migration %s, which this release does not know): upgrade modelrouter to use it", name)
		}
		applied = append(applied, name)
	}
	return applied, rows.Err()
}
