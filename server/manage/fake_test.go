package manage_test

import (
	"context"
	"encoding/json"
	"sort"
	"sync"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// memStore is an in-memory manage.Store with the real store's error codes.
type memStore struct {
	mu      sync.Mutex
	m       map[string]json.RawMessage
	version uint64 // deployment writes
	reads   int    // GetDeployment and ListDeployments calls
}

// versionedStore is memStore with the write count that lets a Source cache
// (manage.Versioned), as store.Store has.
type versionedStore struct{ *memStore }

func (s versionedStore) DeploymentsVersion() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

func (s *memStore) readCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

var _ manage.Store = (*memStore)(nil)

func newMemStore() *memStore { return &memStore{m: map[string]json.RawMessage{}} }

func (s *memStore) PutDeployment(_ context.Context, name string, resource json.RawMessage) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, existed := s.m[name]
	s.m[name] = append(json.RawMessage(nil), resource...)
	s.version++
	return !existed, nil
}

func (s *memStore) GetDeployment(_ context.Context, name string) (store.StoredDeployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	r, ok := s.m[name]
	if !ok {
		return store.StoredDeployment{}, router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
	return store.StoredDeployment{Name: name, Resource: r}, nil
}

func (s *memStore) ListDeployments(context.Context) ([]store.StoredDeployment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	var out []store.StoredDeployment
	for n, r := range s.m {
		out = append(out, store.StoredDeployment{Name: n, Resource: r})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (s *memStore) DeleteDeployment(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; !ok {
		return router.Errorf(router.ENotFound, "deployment %q not found", name)
	}
	delete(s.m, name)
	s.version++
	return nil
}
