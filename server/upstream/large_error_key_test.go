package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// A provider's (or its proxy's) error page over a megabyte that is not
// JSON and echoes the gateway's key many times still reaches the client as a 4xx with
// the key removed; the forwarder does not fail on it.
func TestALargeErrorPageEchoingTheKeyReachesTheClientRedacted(t *testing.T) {
	const key = "sk-proj-Abc123Def456Ghi789wxyz"
	// A proxy's debug page that prints the request's headers on every
	// line of its trace.
	page := "<html>" + strings.Repeat("trace: Authorization: Bearer "+key+"\n", 40000) + "</html>"
	m := newMisbehaving(t, upstream.KindOpenAI, writes(http.StatusBadRequest, "text/html", page))
	bad := m.fwd.Providers.ByName["bad"]
	bad.APIKey = key
	m.fwd.Providers.ByName["bad"] = bad
	rec := httptest.NewRecorder()
	var out upstream.Outcome
	require.NotPanics(t, func() {
		out = m.fwd.Forward(context.Background(), rec, upstream.Call{
			API: upstream.APIChatCompletions, Order: []router.Model{m.bad},
			Raw: []byte(`{"model":"x","messages":[{"role":"user","content":"hi"}]}`),
		})
	})
	assert.Equal(t, http.StatusBadRequest, out.Status)
	assert.NotContains(t, rec.Body.String(), key)
}
