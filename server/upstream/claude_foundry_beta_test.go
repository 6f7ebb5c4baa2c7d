package upstream_test

// Claude's structured outputs are generally available on Claude's own API,
// which needs no beta header for them, but "remain in public beta on
// Microsoft Foundry" (Anthropic's structured outputs page): a request that
// holds Claude on Foundry to a schema carries the beta header, beside any
// other beta, and no other request does.

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// claudeAt is a Forwarder whose one Claude model is served at baseURL,
// its requests reaching fake whatever host baseURL names.
func claudeAt(t *testing.T, fake *upstreamtest.Fake, baseURL string) (*upstream.Forwarder, router.Model) {
	t.Helper()
	served := strings.TrimPrefix(fake.Root, "http://")
	fwd := &upstream.Forwarder{Providers: upstream.Providers{ByName: map[string]upstream.Provider{
		"claude": {Name: "claude", Kind: upstream.KindAnthropic, BaseURL: baseURL, APIKey: fake.Key},
	}}, AttemptTimeout: 5 * time.Second, Client: &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, served)
		}}}}
	m := router.Model{ID: "claude", Name: "claude", Provider: "claude", Format: "Anthropic",
		Capabilities: router.Capabilities{StructuredOutput: true}}
	return fwd, m
}

func betasSent(t *testing.T, fake *upstreamtest.Fake, call upstream.Call, fwd *upstream.Forwarder) []string {
	t.Helper()
	out := fwd.Forward(context.Background(), httptest.NewRecorder(), call)
	require.NoError(t, out.Err)
	reqs := fake.Requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1].Header.Values("anthropic-beta")
}

func TestClaudeOnFoundryGetsTheStructuredOutputsBetaWithASchema(t *testing.T) {
	fake := upstreamtest.NewAnthropic(t)
	messagesWithFormat := `{"model":"r","max_tokens":50,"messages":[{"role":"user","content":"hi"}],"output_config":{"format":{"type":"json_schema","schema":` + closedSchema + `}}}`
	cases := []struct {
		name    string
		call    upstream.Call
		foundry []string // the betas Foundry gets; Anthropic's own API gets the client's alone
	}{
		{"chat response_format", upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatWithFormat)}, []string{"structured-outputs-2025-11-13"}},
		{"chat strict tool", upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatWithStrictTool)}, []string{"structured-outputs-2025-11-13"}},
		{"responses text.format", upstream.Call{API: upstream.APIResponses, Raw: []byte(responsesWithFormat)}, []string{"structured-outputs-2025-11-13"}},
		{"no schema", upstream.Call{API: upstream.APIChatCompletions, Raw: []byte(chatWithoutSchema)}, nil},
		{"messages beside the client's beta", upstream.Call{API: upstream.APIMessages, Raw: []byte(messagesWithFormat), Beta: []string{"context-1m-2025-08-07"}},
			[]string{"context-1m-2025-08-07,structured-outputs-2025-11-13"}},
		{"messages beside the client's betas on two lines", upstream.Call{API: upstream.APIMessages, Raw: []byte(messagesWithFormat), Beta: []string{"context-1m-2025-08-07", "files-api-2025-04-14"}},
			[]string{"context-1m-2025-08-07", "files-api-2025-04-14,structured-outputs-2025-11-13"}},
		{"messages that names it already", upstream.Call{API: upstream.APIMessages, Raw: []byte(messagesWithFormat), Beta: []string{"context-1m-2025-08-07,structured-outputs-2025-11-13"}},
			[]string{"context-1m-2025-08-07,structured-outputs-2025-11-13"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fwd, m := claudeAt(t, fake, "http://contoso.services.ai.azure.com")
			c.call.Order = []router.Model{m}
			assert.Equal(t, c.foundry, betasSent(t, fake, c.call, fwd), "Foundry")

			fwd, m = claudeAt(t, fake, "http://api.anthropic.com")
			c.call.Order = []router.Model{m}
			assert.Equal(t, c.call.Beta, betasSent(t, fake, c.call, fwd), "Anthropic's own API")
		})
	}
}
