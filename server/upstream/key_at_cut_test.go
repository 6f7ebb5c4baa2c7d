package upstream_test

// A provider's message is shortened before the client or the log sees it.
// A key the provider echoes across the cut must not leave a piece of
// itself behind: the part before the cut is as much a secret as the whole.

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// longKey is a realistic provider key: long enough that a cut inside it
// leaves most of it.
const longKey = "sk-proj-Abc123Def456Ghi789Jkl012Mno345Pqr678Stu901"

// withLongKey is f with the OpenAI fake and the gateway's OpenAI provider
// on longKey.
func withLongKey(t *testing.T) *fakes {
	f := newFakes(t)
	f.openai.Key = longKey
	p := f.fwd.Providers.ByName["openai"]
	p.APIKey = longKey
	f.fwd.Providers.ByName["openai"] = p
	return f
}

// refuseBoth makes both OpenAI models refuse the gateway with a 401 whose
// message is msg.
func refuseBoth(f *fakes, msg string) {
	body := `{"error":{"message":"` + msg + `","type":"invalid_request_error","code":"invalid_api_key"}}`
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 401, FailBody: body})
	f.openai.Set("model-b", upstreamtest.Behavior{FailStatus: 401, FailBody: body})
}

func forwardToBoth(f *fakes) upstream.Outcome {
	return f.fwd.Forward(context.Background(), httptest.NewRecorder(), upstream.Call{
		API: upstream.APIChatCompletions, Raw: []byte(chatBody),
		Order: []router.Model{openAIModel("model-a"), openAIModel("model-b")},
	})
}

func TestAProviderKeyEchoedAcrossTheRefusalCutStaysOutOfThe502(t *testing.T) {
	f := withLongKey(t)
	// The key starts 10 runes before the 300-rune cut of a refusal's message.
	refuseBoth(f, strings.Repeat("x", 290)+longKey)
	out := forwardToBoth(f)
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "[redacted]", "the key's place is marked")
	assert.NotContains(t, out.Err.Error(), longKey[:10], "the client's 502 shows no piece of the key")
	require.Len(t, out.Attempts, 2)
	for _, a := range out.Attempts {
		assert.NotContains(t, a.Error, longKey[:10], "the decision log's attempts show no piece of the key")
	}
}

func TestAProviderKeyEchoedAcrossThePlainTextCutStaysOutOfTheClientsError(t *testing.T) {
	for _, tc := range []struct {
		api  upstream.API
		path string
		body string
	}{
		{upstream.APIChatCompletions, "/chat/completions", chatBody},
		{upstream.APIMessages, "/messages", `{"model":"r","max_tokens":50,"messages":[{"role":"user","content":"hi"}]}`},
	} {
		f := withLongKey(t)
		// A proxy's plain-text 400 that echoes the request's headers: the
		// key starts 10 bytes before the 500-byte cut.
		f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 400,
			FailBody: strings.Repeat("x", 468) + "Authorization: Bearer " + longKey})
		g := newGateway(t, f.fwd, tc.api, openAIModel("model-a"))
		status, _, body := g.post(t, tc.path, tc.body)
		out := g.outcome(t)
		assert.Equal(t, http.StatusBadRequest, status, "%s: %s", tc.path, body)
		assert.NotContains(t, string(body), longKey[:10], "%s: the client's error shows no piece of the key: %s", tc.path, body)
		for _, a := range out.Attempts {
			assert.NotContains(t, a.Error, longKey[:10], "the decision log's attempts show no piece of the key")
		}
	}
}

// An error over 1 MiB is read on for its message, which is cut to 1,000
// runes: a key across that cut is removed too.
func TestAProviderKeyEchoedAcrossALargeErrorsCutStaysOutOfTheClientsError(t *testing.T) {
	f := withLongKey(t)
	msg := strings.Repeat("x", 990) + longKey + strings.Repeat("A", 2<<20)
	f.openai.Set("model-a", upstreamtest.Behavior{FailStatus: 400,
		FailBody: `{"error":{"message":"` + msg + `","type":"BadRequestError","param":null,"code":400}}`})
	g := newGateway(t, f.fwd, upstream.APIChatCompletions, openAIModel("model-a"))
	status, _, body := g.post(t, "/chat/completions", chatBody)
	g.outcome(t)
	require.Equal(t, http.StatusBadRequest, status)
	var got struct {
		Error struct{ Message, Type string }
	}
	require.NoError(t, json.Unmarshal(body, &got), "%.300s", body)
	assert.Equal(t, "BadRequestError", got.Error.Type, "the provider's error still reaches the client")
	assert.NotContains(t, got.Error.Message, longKey[:10], "the client's error shows no piece of the key")
}

// OpenAI's 401 for a bad key shows the key's first characters and its
// last four, asterisks between: that is no message for every client of
// the gateway, nor for the decision log.
func TestAProvidersMaskedEchoOfTheKeyStaysOutOfThe502(t *testing.T) {
	f := withLongKey(t)
	masked := longKey[:8] + strings.Repeat("*", 36) + longKey[len(longKey)-4:]
	refuseBoth(f, "Incorrect API key provided: "+masked+". You can find your API key at https://platform.openai.com/account/api-keys.")
	out := forwardToBoth(f)
	require.Error(t, out.Err)
	assert.Contains(t, out.Err.Error(), "Incorrect API key provided: [redacted]. You can find", "the rest of the message stays")
	assert.NotContains(t, out.Err.Error(), "****", "the client's 502 shows no masked key")
	for _, a := range out.Attempts {
		assert.NotContains(t, a.Error, longKey[len(longKey)-4:], "the decision log's attempts show no end of the key")
	}
}
