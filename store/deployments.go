package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/modelrouter/modelrouter/router"
)

// StoredDeployment is a deployment resource as the management API saved it.
type StoredDeployment struct {
	Name     string
	Resource json.RawMessage
	Created  time.Time
	Updated  time.Time
}

// PutDeployment creates or replaces the deployment name with resource, kept
// byte for byte, and reports whether it was created. Returns EInvalid for
// an empty name or a resource that is not a JSON value.
func (s *Store) PutDeployment(ctx context.Context, name string, resource json.RawMessage) (created bool, err error) {
	if name == "" {
		return false, &router.Error{Code: router.EInvalid, Param: "name", Message: "deployment name is required"}
	}
	if !json.Valid(resource) {
		return false, router.Errorf(router.EInvalid, "deployment %q: resource is not valid JSON", name)
	}
	now := formatTS(s.now())
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("put deployment: %w", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE deployments SET resource = ?, updated = ? WHERE name = ?`, string(resource), now, name)
	if err != nil {
		return false, fmt.Errorf("put deployment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		created = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO deployments (name, resource, created, updated) VALUES (?, ?, ?, ?)`,
			name, string(resource), now, now); err != nil {
			return false, fmt.Errorf("put deployment: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("put deployment: %w", err)
	}
	s.deploymentsVersion.Add(1)
	return created, nil
}

// GetDeployment returns the stored resource of deployment name. Returns
// ENotFound when there is none.
func (s *Store) GetDeployment(ctx context.Context, name string) (json.RawMessage, error) {
	var resource string
	err := s.db.QueryRowContext(ctx, `SELECT resource FROM deployments WHERE name = ?`, name).Scan(&resource)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
	if err != nil {
		return nil, fmt.Errorf("get deployment: %w", err)
	}
	return json.RawMessage(resource), nil
}

// ListDeployments returns every stored deployment, by name.
func (s *Store) ListDeployments(ctx context.Context) ([]StoredDeployment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT name, resource, created, updated FROM deployments ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list deployments: %w", err)
	}
	defer rows.Close()
	var out []StoredDeployment
	for rows.Next() {
		var d StoredDeployment
		var resource, created, updated string
		if err := rows.Scan(&d.Name, &resource, &created, &updated); err != nil {
			return nil, fmt.Errorf("list deployments: %w", err)
		}
		d.Resource = json.RawMessage(resource)
		if d.Created, err = parseTS(created); err != nil {
			return nil, fmt.Errorf("deployment %s: bad created time: %w", d.Name, err)
		}
		if d.Updated, err = parseTS(updated); err != nil {
			return nil, fmt.Errorf("deployment %s: bad updated time: %w", d.Name, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeleteDeployment removes deployment name. Returns ENotFound when there is
// none.
func (s *Store) DeleteDeployment(ctx context.Context, name string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM deployments WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("delete deployment: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
	s.deploymentsVersion.Add(1)
	return nil
}

// DeploymentsVersion changes every time this Store writes a deployment
// (after the write commits), so a reader may cache what it read until the
// version moves. Writes by another process on the same file do not move it.
func (s *Store) DeploymentsVersion() uint64 { return s.deploymentsVersion.Load() }
