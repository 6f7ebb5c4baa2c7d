package upstream_test

// The catalog's open-weights models (gpt-oss, Llama 4, DeepSeek-V3.1) are
// served by servers of one's own (vLLM, Ollama, llama.cpp's llama-server,
// SGLang), and all of them read the output limit from max_tokens. Ollama's
// OpenAI compatibility reads no max_completion_tokens at all (its
// ChatCompletionRequest has only max_tokens), so a limit sent there under
// OpenAI's newer name, as the gateway renamed gpt-oss's and as the OpenAI
// SDKs send it, is silently dropped and the answer runs on.

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

func TestOpenWeightsModelsOnAServerOfOnesOwnGetTheOutputLimitAsMaxTokens(t *testing.T) {
	cat, err := models.Catalog()
	require.NoError(t, err)
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	for _, tc := range []struct {
		name, model string
		api         upstream.API
		body        string
	}{
		{"gpt-oss Chat Completions", "gpt-oss-120b", upstream.APIChatCompletions, `{"model":"r","max_tokens":50,` + msgs + `}`},
		{"gpt-oss Chat Completions from an OpenAI SDK", "gpt-oss-120b", upstream.APIChatCompletions, `{"model":"r","max_completion_tokens":50,` + msgs + `}`},
		{"gpt-oss Messages", "gpt-oss-120b", upstream.APIMessages, `{"model":"r","max_tokens":50,` + msgs + `}`},
		{"Llama 4 from an OpenAI SDK", "Llama-4-Maverick-17B-128E-Instruct-FP8", upstream.APIChatCompletions, `{"model":"r","max_completion_tokens":50,` + msgs + `}`},
		{"DeepSeek-V3.1 from an OpenAI SDK", "DeepSeek-V3.1", upstream.APIChatCompletions, `{"model":"r","max_completion_tokens":50,` + msgs + `}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := cat.Model(tc.model)
			require.True(t, ok)
			fake := upstreamtest.NewOpenAI(t)
			fwd := &upstream.Forwarder{Providers: upstream.FromEnviron([]string{"MODELROUTER_UPSTREAM_DEFAULT_BASE_URL=" + fake.URL})}
			rec := httptest.NewRecorder()
			out := fwd.Forward(context.Background(), rec, upstream.Call{API: tc.api, Raw: []byte(tc.body), Order: []router.Model{m}})
			require.NoError(t, out.Err, rec.Body.String())
			reqs := fake.RequestsFor(m.UpstreamModel)
			require.Len(t, reqs, 1)
			var sent map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
			assert.JSONEq(t, `50`, string(sent["max_tokens"]), "sent: %s", reqs[0].Body)
			assert.NotContains(t, sent, "max_completion_tokens")
		})
	}
}
