package upstream_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// A client that reads a whole streamed answer and hangs up before the
// provider closes its connection got everything: the decision log must
// record a success, not "client closed the request" (499). The fakes keep
// the connection open after the last event until the client is gone, which
// is the order of events that made this flaky before.
func TestStreamCompleteBeforeTheProviderClosesIsASuccess(t *testing.T) {
	tests := []struct {
		name  string
		model router.Model
		set   func(f *fakes, b upstreamtest.Behavior)
	}{
		{"openai", openAIModel("model-a"), func(f *fakes, b upstreamtest.Behavior) { f.openai.Set("model-a", b) }},
		{"anthropic, translated", anthropicModel("claude-x"), func(f *fakes, b upstreamtest.Behavior) { f.anthropic.Set("claude-x", b) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakes(t)
			tt.set(f, upstreamtest.Behavior{HoldOpen: true})
			g := newGateway(t, f.fwd, upstream.APIChatCompletions, tt.model)
			params := claudeParams
			params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			c := sdkClient(g)
			s := c.Chat.Completions.NewStreaming(context.Background(), params)
			acc := openai.ChatCompletionAccumulator{}
			for s.Next() {
				acc.AddChunk(s.Current())
			}
			require.NoError(t, s.Err())
			require.NoError(t, s.Close())
			assert.Equal(t, "stop", acc.Choices[0].FinishReason)

			out := g.outcome(t)
			assert.Equal(t, 200, out.Status)
			assert.Nil(t, out.Err)
			assert.EqualValues(t, 3, out.Usage.CompletionTokens)
		})
	}
}

// A provider that keeps its connection open after its last event must not
// hold the client's answer open: SDKs read a stream to its end. Every API
// and provider pair ends the client's body once the last event is copied.
func TestStreamEndsAtTheProvidersLastEventThoughItLingers(t *testing.T) {
	bodies := map[upstream.API]string{
		upstream.APIChatCompletions: `{"model":"router","stream":true,"messages":[{"role":"user","content":"hi"}]}`,
		upstream.APIResponses:       `{"model":"router","stream":true,"input":"hi"}`,
		upstream.APIMessages:        `{"model":"router","stream":true,"max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`,
	}
	for _, api := range []upstream.API{upstream.APIChatCompletions, upstream.APIResponses, upstream.APIMessages} {
		for _, m := range []router.Model{openAIModel("model-a"), anthropicModel("claude-x")} {
			t.Run(string(api)+"/"+m.Provider, func(t *testing.T) {
				f := newFakes(t)
				f.openai.Set("model-a", upstreamtest.Behavior{HoldOpen: true})
				f.anthropic.Set("claude-x", upstreamtest.Behavior{HoldOpen: true})
				g := newGateway(t, f.fwd, api, m)
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				defer cancel()
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.URL, strings.NewReader(bodies[api]))
				require.NoError(t, err)
				res, err := http.DefaultClient.Do(req)
				require.NoError(t, err)
				defer res.Body.Close()
				body, err := io.ReadAll(res.Body)
				require.NoError(t, err, "the body must end without the client giving up")
				require.Contains(t, string(body), "Hello")
				out := g.outcome(t)
				assert.Equal(t, 200, out.Status)
				assert.Nil(t, out.Err)
			})
		}
	}
}
