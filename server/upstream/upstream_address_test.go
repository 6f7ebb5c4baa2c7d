package upstream_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// unreachable is an address nothing listens on: the dial is refused.
const unreachable = "127.0.0.1:1"

// withUnreachable adds provider "meta", a self-hosted server at
// unreachable, and returns its model.
func withUnreachable(f *fakes) router.Model {
	f.fwd.Providers.ByName["meta"] = upstream.Provider{Name: "meta", Kind: upstream.KindOpenAI, BaseURL: "http://" + unreachable + "/v1"}
	return router.Model{ID: "llama-id", Name: "llama", Provider: "meta"}
}

// The client's 502 says what went wrong with each model, not where the
// gateway's providers live: a self-hosted server's address (an internal
// host name or IP and port) is the operator's, not every key holder's.
// The decision log's attempts keep it: the operator needs it to fix the
// setting.
func TestTheClients502NamesNoUpstreamAddress(t *testing.T) {
	f := newFakes(t)
	out := f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody), Order: []router.Model{withUnreachable(f)},
	})
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "llama-id (connection error: connection refused)")
	assert.NotContains(t, out.Err.Error(), unreachable, "the client learns the provider's address")
	require.Len(t, out.Attempts, 1)
	assert.Equal(t, "connection error: connection refused", out.Attempts[0].ClientError(), "what an answer's details show")
	assert.Contains(t, out.Attempts[0].Error, unreachable, "the decision log names the address for the operator")
	assert.Contains(t, out.Attempts[0].Error, "connection refused")
}
