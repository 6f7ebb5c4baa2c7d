package server

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/store"
)

// slowResponses writes kept answers a little late, as a busy disk would.
type slowResponses struct {
	sqliteResponses
	delay time.Duration
}

func (s slowResponses) PutResponse(ctx context.Context, r StoredResponse) error {
	time.Sleep(s.delay)
	return s.sqliteResponses.PutResponse(ctx, r)
}

// Another gateway on the same database file cannot see this one's pending
// writes, so a kept answer whose write takes a moment (here 20 ms, well
// inside keepInline) still waits for its row: by the time its client has
// it, a continuation or read sent to the other gateway finds it, JSON and
// streamed.
func TestAKeptAnswerIsInTheFileForAnotherGatewayOnceItsClientHasIt(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kept.db")
	st, err := store.Open(path, store.WithBusyTimeout(5*time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	other, err := store.Open(path, store.WithBusyTimeout(5*time.Second))
	require.NoError(t, err)
	t.Cleanup(func() { other.Close() })
	e := newE2E(t, func(c *Config) { c.Responses = slowResponses{sqliteResponses{st}, 20 * time.Millisecond} })
	client := e.clients()["v1"]
	ctx := context.Background()

	lake, err := client.Responses.New(ctx, ask("Name a lake."), onModel("claude"))
	require.NoError(t, err)
	_, found, err := other.KeptResponse(ctx, lake.ID)
	require.NoError(t, err)
	assert.True(t, found, "the JSON answer's row is in the file when its client has it")

	river := completedResponse(t, client.Responses.NewStreaming(ctx, ask("Name a river."), onModel("claude")))
	require.Equal(t, "claude", river.Model)
	_, found, err = other.KeptResponse(ctx, river.ID)
	require.NoError(t, err)
	assert.True(t, found, "the streamed answer's row is in the file when its client has it")
}
