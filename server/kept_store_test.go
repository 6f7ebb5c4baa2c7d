package server

import (
	"context"

	"github.com/modelrouter/modelrouter/store"
)

// sqliteResponses is the SQLite store as a ResponseStore, as serve wires
// it (cmd/modelrouter), for benchmarks that read kept answers back.
type sqliteResponses struct{ st *store.Store }

func (s sqliteResponses) PutResponse(ctx context.Context, r StoredResponse) error {
	return s.st.PutResponse(ctx, store.Response{ID: r.ID, PreviousID: r.PreviousID, Model: r.Model,
		Input: r.Input, Output: r.Output, Body: r.Body, KeyID: r.KeyID})
}

func (s sqliteResponses) ResponseChain(ctx context.Context, id string, maxBytes int64) ([]StoredResponse, error) {
	chain, err := s.st.ResponseChain(ctx, id, maxBytes)
	out := make([]StoredResponse, len(chain))
	for i, r := range chain {
		out[i] = fromStore(r)
	}
	return out, err
}

func (s sqliteResponses) KeptResponse(ctx context.Context, id string) (StoredResponse, bool, error) {
	r, ok, err := s.st.KeptResponse(ctx, id)
	return fromStore(r), ok, err
}

func (s sqliteResponses) KeptResponses(ctx context.Context, ids []string) (map[string]StoredResponse, error) {
	kept, err := s.st.KeptResponses(ctx, ids)
	out := make(map[string]StoredResponse, len(kept))
	for id, r := range kept {
		out[id] = fromStore(r)
	}
	return out, err
}

func (s sqliteResponses) DeleteResponse(ctx context.Context, id string) (bool, error) {
	return s.st.DeleteResponse(ctx, id)
}

func fromStore(r store.Response) StoredResponse {
	return StoredResponse{ID: r.ID, PreviousID: r.PreviousID, Model: r.Model,
		Input: r.Input, Output: r.Output, Body: r.Body, KeyID: r.KeyID, Created: r.Time}
}
