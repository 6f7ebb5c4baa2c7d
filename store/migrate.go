package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
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
// place and is retried on the next Open.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
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
