package upstream_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
)

// An upstream's redirect is not followed: Go's client would drop only
// Authorization on a redirect to another host, and copy Azure's api-key and
// Anthropic's x-api-key to whatever host the upstream (or a proxy or open
// redirect in front of it) names. The 3xx is a failed attempt instead.
func TestUpstreamRedirectIsNotFollowedWithTheProviderKey(t *testing.T) {
	for _, tc := range []struct {
		kind, header string
		api          upstream.API
		body         string
		format       string
	}{
		{upstream.KindAnthropic, "x-api-key", upstream.APIMessages,
			`{"model":"m","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, "Anthropic"},
		{upstream.KindAzure, "api-key", upstream.APIChatCompletions,
			`{"model":"m","messages":[{"role":"user","content":"hi"}]}`, "OpenAI"},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			const secret = "sk-provider-secret-0123456789"
			var mu sync.Mutex
			var stolen []string
			// The third party, reached by another host name.
			thief := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				stolen = append(stolen, r.Header.Get(tc.header))
				mu.Unlock()
				http.Error(w, "nope", http.StatusBadGateway)
			}))
			t.Cleanup(thief.Close)
			thiefURL := strings.Replace(thief.URL, "127.0.0.1", "localhost", 1)
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, thiefURL+r.URL.Path, http.StatusTemporaryRedirect)
			}))
			t.Cleanup(up.Close)

			ps := upstream.Providers{ByName: map[string]upstream.Provider{
				"p": {Name: "p", Kind: tc.kind, BaseURL: up.URL, APIKey: secret},
			}}
			fwd := &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second, Deadline: 10 * time.Second}
			out := fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{API: tc.api, Raw: []byte(tc.body),
				Order: []router.Model{{ID: "m-id", Name: "m", Provider: "p", Format: tc.format}}})
			assert.Equal(t, http.StatusBadGateway, out.Status, "a redirect is a failed attempt, not an answer")
			if assert.Len(t, out.Attempts, 1) {
				assert.Equal(t, http.StatusTemporaryRedirect, out.Attempts[0].Status)
				assert.Contains(t, out.Attempts[0].Error, "HTTP 307 redirect (not followed")
			}
			assert.False(t, out.Refused || out.Whole, "nothing billed")

			mu.Lock()
			defer mu.Unlock()
			for _, got := range stolen {
				assert.NotEqual(t, secret, got, "the provider key was sent in %s to the host the upstream redirected to", tc.header)
			}
		})
	}
}
