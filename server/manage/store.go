package manage

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/modelrouter/modelrouter/store"
)

// Store persists deployment resources; *store.Store implements it.
type Store interface {
	// PutDeployment creates or replaces a deployment and reports whether it
	// was created.
	PutDeployment(ctx context.Context, name string, resource json.RawMessage) (created bool, err error)
	// GetDeployment returns a deployment with the name it is stored
	// under; router.ENotFound when there is none.
	GetDeployment(ctx context.Context, name string) (store.StoredDeployment, error)
	// ListDeployments returns every deployment, by name.
	ListDeployments(ctx context.Context) ([]store.StoredDeployment, error)
	// DeleteDeployment removes a deployment; router.ENotFound when there is
	// none.
	DeleteDeployment(ctx context.Context, name string) error
}

var _ Store = (*store.Store)(nil)

// transactional is a Store that runs a deployment write with the reads that
// check it in one write transaction, which another process on the same
// database cannot write into; *store.Store is one.
type transactional interface {
	WriteDeployments(ctx context.Context, fn func(*store.DeploymentsTx) error) error
}

var _ Store = (*store.DeploymentsTx)(nil)

// inWriteTransaction runs fn, which checks a write and makes it, with st's
// write transaction where st has them, and with st itself otherwise (the
// API's lock then serializes writes in this process only). fn's error is
// returned as it is.
func inWriteTransaction(ctx context.Context, st Store, fn func(Store) error) error {
	t, ok := st.(transactional)
	if !ok {
		return fn(st)
	}
	return t.WriteDeployments(ctx, func(tx *store.DeploymentsTx) error { return fn(tx) })
}

type namedResource struct {
	name string
	res  Resource
	tag  string // its ETag
}

// loadAll reads and decodes every stored deployment.
func loadAll(ctx context.Context, st Store) ([]namedResource, error) {
	stored, err := st.ListDeployments(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]namedResource, 0, len(stored))
	for _, d := range stored {
		r, err := decodeResource(d.Resource)
		if err != nil {
			return nil, fmt.Errorf("stored deployment %q: %w", d.Name, err)
		}
		out = append(out, namedResource{name: d.Name, res: r, tag: etagOf(d.Resource)})
	}
	return out, nil
}
