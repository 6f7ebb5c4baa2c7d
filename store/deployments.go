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

// DeploymentsTx reads and writes deployments inside one write transaction
// (see [Store.WriteDeployments]): what it reads stays true until the
// transaction ends, as no other writer, in this process or another one on
// the same database file, can write in between. Its methods are the
// Store's, with the same errors.
type DeploymentsTx struct {
	tx    *sql.Tx
	now   func() time.Time
	wrote bool
}

// WriteDeployments runs fn inside one write transaction, which takes the
// database's write lock at BEGIN (_txlock=immediate), so that the checks a
// write makes (a deployment's etag, the routers that need a Claude
// deployment) and the write itself cannot be interleaved with another
// writer's, even one in another process on the same file; such a writer
// waits on the busy timeout. fn's error rolls everything back and is
// returned as it is, but for one that says the database cannot write for
// now (EUnavailable). DeploymentsVersion moves once fn's writes commit.
func (s *Store) WriteDeployments(ctx context.Context, fn func(*DeploymentsTx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return deploymentsWriteError(err)
	}
	defer tx.Rollback()
	dt := &DeploymentsTx{tx: tx, now: s.now}
	if err := fn(dt); err != nil {
		return deploymentsWriteError(err)
	}
	if err := tx.Commit(); err != nil {
		return deploymentsWriteError(err)
	}
	if dt.wrote {
		s.deploymentsVersion.Add(1)
	}
	return nil
}

// deploymentsWriteError is err, or EUnavailable where the database cannot
// write for now (see cannotWrite: another process held the write lock past
// the busy timeout, a full disk), which the client may retry later.
func deploymentsWriteError(err error) error {
	if !cannotWrite(err) {
		return err
	}
	return router.Errorf(router.EUnavailable,
		"the deployments cannot be written now (the gateway's database is locked by another process, full or read-only); nothing was written; retry it later")
}

// PutDeployment creates or replaces the deployment name with resource, kept
// byte for byte, and reports whether it was created. Names compare without
// regard to case (see [router.MatchDeploymentName]): a put of "Mr" when
// "mr" exists replaces "mr", which keeps its name. Returns EInvalid for an
// empty name or a resource that is not a JSON value, and EConflict for a
// name that matches two stored names differing only in case but neither
// exactly.
func (s *Store) PutDeployment(ctx context.Context, name string, resource json.RawMessage) (created bool, err error) {
	err = s.WriteDeployments(ctx, func(tx *DeploymentsTx) error {
		created, err = tx.PutDeployment(ctx, name, resource)
		return err
	})
	return created, err
}

// PutDeployment is [Store.PutDeployment] inside the transaction.
func (t *DeploymentsTx) PutDeployment(ctx context.Context, name string, resource json.RawMessage) (created bool, err error) {
	if name == "" {
		return false, &router.Error{Code: router.EInvalid, Param: "name", Message: "deployment name is required"}
	}
	if !json.Valid(resource) {
		return false, router.Errorf(router.EInvalid, "deployment %q: resource is not valid JSON", name)
	}
	now := formatTS(t.now())
	// The transaction holds the write lock, so no other writer can add a
	// name in another case between this lookup and the insert.
	kept, err := storedName(ctx, t.tx, name)
	switch {
	case err == nil:
		if _, err := t.tx.ExecContext(ctx, `UPDATE deployments SET resource = ?, updated = ? WHERE name = ?`, string(resource), now, kept); err != nil {
			return false, fmt.Errorf("put deployment: %w", err)
		}
	case router.ErrorCode(err) == router.ENotFound:
		created = true
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO deployments (name, resource, created, updated) VALUES (?, ?, ?, ?)`,
			name, string(resource), now, now); err != nil {
			return false, fmt.Errorf("put deployment: %w", err)
		}
	default:
		return false, err
	}
	t.wrote = true
	return created, nil
}

// querier is what reading deployments needs: the database, or a
// transaction.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// GetDeployment returns deployment name, found in any case, with the name
// it is stored under. Returns ENotFound when there is none and EConflict
// as PutDeployment does.
func (s *Store) GetDeployment(ctx context.Context, name string) (StoredDeployment, error) {
	return getDeployment(ctx, s.db, name)
}

// GetDeployment is [Store.GetDeployment] inside the transaction.
func (t *DeploymentsTx) GetDeployment(ctx context.Context, name string) (StoredDeployment, error) {
	return getDeployment(ctx, t.tx, name)
}

func getDeployment(ctx context.Context, q querier, name string) (StoredDeployment, error) {
	kept, err := storedName(ctx, q, name)
	if err != nil {
		return StoredDeployment{}, err
	}
	d := StoredDeployment{Name: kept}
	var resource, created, updated string
	err = q.QueryRowContext(ctx, `SELECT resource, created, updated FROM deployments WHERE name = ?`, kept).Scan(&resource, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		// Deleted between the two reads.
		return StoredDeployment{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
	if err != nil {
		return StoredDeployment{}, fmt.Errorf("get deployment: %w", err)
	}
	d.Resource = json.RawMessage(resource)
	if d.Created, err = parseTS(created); err != nil {
		return StoredDeployment{}, fmt.Errorf("deployment %s: bad created time: %w", d.Name, err)
	}
	if d.Updated, err = parseTS(updated); err != nil {
		return StoredDeployment{}, fmt.Errorf("deployment %s: bad updated time: %w", d.Name, err)
	}
	return d, nil
}

// storedName is the name the deployment that name calls is stored under:
// the stored names equal to it in SQLite's NOCASE (ASCII case, as
// router.FoldName) are read, and router.MatchDeploymentName picks one. No
// unique index enforces one name per case: a database written before
// names compared this way may hold two, which must stay readable.
func storedName(ctx context.Context, q querier, name string) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM deployments WHERE name = ? COLLATE NOCASE`, name)
	if err != nil {
		return "", fmt.Errorf("find deployment: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", fmt.Errorf("find deployment: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("find deployment: %w", err)
	}
	return router.MatchDeploymentName(names, name)
}

// ListDeployments returns every stored deployment, by name.
func (s *Store) ListDeployments(ctx context.Context) ([]StoredDeployment, error) {
	return listDeployments(ctx, s.db)
}

// ListDeployments is [Store.ListDeployments] inside the transaction.
func (t *DeploymentsTx) ListDeployments(ctx context.Context) ([]StoredDeployment, error) {
	return listDeployments(ctx, t.tx)
}

func listDeployments(ctx context.Context, q querier) ([]StoredDeployment, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, resource, created, updated FROM deployments ORDER BY name`)
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

// DeleteDeployment removes deployment name, found in any case. Returns
// ENotFound when there is none and EConflict as PutDeployment does.
func (s *Store) DeleteDeployment(ctx context.Context, name string) error {
	return s.WriteDeployments(ctx, func(tx *DeploymentsTx) error { return tx.DeleteDeployment(ctx, name) })
}

// DeleteDeployment is [Store.DeleteDeployment] inside the transaction.
func (t *DeploymentsTx) DeleteDeployment(ctx context.Context, name string) error {
	kept, err := storedName(ctx, t.tx, name)
	if err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM deployments WHERE name = ?`, kept); err != nil {
		return fmt.Errorf("delete deployment: %w", err)
	}
	t.wrote = true
	return nil
}

// DeploymentsVersion changes every time this Store writes a deployment
// (after the write commits), so a reader may cache what it read until the
// version moves. Writes by another process on the same file do not move it.
func (s *Store) DeploymentsVersion() uint64 { return s.deploymentsVersion.Load() }
