package manage_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/server/manage"
	"github.com/modelrouter/modelrouter/store"
)

// TestSourceReadsItsWritesUnderLoad: while other requests keep the cached
// copy busy (rebuilding it, reading it), a Get after a write returns
// sees that write, every time.
func TestSourceReadsItsWritesUnderLoad(t *testing.T) {
	st, err := store.Open(filepath.Join(t.TempDir(), "source.db"))
	require.NoError(t, err)
	defer st.Close()
	cat, err := models.Catalog()
	require.NoError(t, err)
	src := manage.NewSource(st, cat)
	ctx := context.Background()
	put := func(name string, capacity int) {
		body := fmt.Sprintf(`{"sku": {"name": "GlobalStandard", "capacity": %d}, "properties": {"model": {"format": "OpenAI", "name": "model-router", "version": "2025-11-18"}}}`, capacity)
		_, err := st.PutDeployment(ctx, name, []byte(body))
		require.NoError(t, err)
	}
	put("busy", 1)

	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 4 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = src.Get(ctx, "busy")
				_, _ = src.Get(ctx, "model-router")
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 2 {
		writers.Go(func() {
			name := fmt.Sprintf("mine-%d", w)
			for capacity := 1; capacity <= 60; capacity++ {
				put(name, capacity)
				d, err := src.Get(ctx, name)
				if !assert.NoError(t, err) || !assert.Equal(t, capacity, d.Capacity, "%s after writing capacity %d", name, capacity) {
					return
				}
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
}
