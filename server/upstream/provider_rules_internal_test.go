package upstream

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/models"
	"github.com/modelrouter/modelrouter/router"
)

// catalogModel returns the embedded catalog's model with the given ID.
func catalogModel(t *testing.T, id string) router.Model {
	t.Helper()
	cat, err := models.Catalog()
	require.NoError(t, err)
	m, ok := cat.Model(id)
	require.True(t, ok, id)
	return m
}

func rawMembers(t *testing.T, body []byte) map[string]json.RawMessage {
	t.Helper()
	var obj map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(body, &obj), string(body))
	return obj
}

// Azure serves o-series and GPT-5 deployments only on api-version
// 2024-12-01-preview and later ("Model {modelName} is enabled only for api
// versions 2024-12-01-preview and later"): with AZURE_OPENAI_ENDPOINT set
// and no OPENAI_API_VERSION, a Chat Completions call routed to a reasoning
// model must go out with a version that serves it (a 400 would reach the
// client without failover).
func TestAzureDefaultAPIVersionServesReasoningModels(t *testing.T) {
	ps := FromEnv(func(k string) string {
		return map[string]string{"AZURE_OPENAI_ENDPOINT": "https://r.openai.azure.com", "AZURE_OPENAI_API_KEY": "k"}[k]
	})
	for _, id := range []string{"o4-mini-2025-04-16", "gpt-5-2025-08-07", "gpt-5.2-2025-12-11"} {
		m := catalogModel(t, id)
		p, ok := ps.Resolve(m)
		require.True(t, ok)
		u, err := url.Parse(endpoint(p, APIChatCompletions, m))
		require.NoError(t, err)
		v := u.Query().Get("api-version")
		assert.True(t, v >= "2024-12-01-preview", "%s is sent with api-version=%s, older than 2024-12-01-preview", id, v)
	}
}

// A generic provider of kind azure without _API_VERSION gets the default
// api-version, not an empty one, which Azure refuses.
func TestGenericAzureProviderHasAnAPIVersion(t *testing.T) {
	ps := FromEnviron([]string{
		"MODELROUTER_UPSTREAM_GPT_OSS_BASE_URL=https://r.openai.azure.com",
		"MODELROUTER_UPSTREAM_GPT_OSS_KIND=azure",
		"MODELROUTER_UPSTREAM_GPT_OSS_API_KEY=k",
	})
	m := catalogModel(t, "gpt-oss-120b")
	p, ok := ps.Resolve(m)
	require.True(t, ok)
	u, err := url.Parse(endpoint(p, APIChatCompletions, m))
	require.NoError(t, err)
	assert.NotEmpty(t, u.Query().Get("api-version"), "endpoint %s", u)
}

// xAI: "reasoning_effort is not supported by grok-3, grok-4 and
// grok-4-fast-reasoning. Specifying reasoning_effort parameter will get an
// error response." Both reason, yet both lose reasoning_effort (and
// `reasoning` on Responses).
func TestGrokGetsNoReasoningEffort(t *testing.T) {
	for _, id := range []string{"grok-4", "grok-4-fast-reasoning"} {
		m := catalogModel(t, id)
		chat, err := RewriteOpenAI([]byte(`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"reasoning_effort":"high"}`), APIChatCompletions, m)
		require.NoError(t, err)
		assert.NotContains(t, rawMembers(t, chat), "reasoning_effort", "%s chat body: %s", id, chat)

		resp, err := RewriteOpenAI([]byte(`{"model":"model-router","input":"hi","reasoning":{"effort":"high"}}`), APIResponses, m)
		require.NoError(t, err)
		assert.NotContains(t, rawMembers(t, resp), "reasoning", "%s responses body: %s", id, resp)
	}
}

// DeepSeek's API knows only deepseek-chat and deepseek-reasoner (any other
// name is a 400 "Model Not Exist"): DEEPSEEK_API_KEY serves V3.2 as
// deepseek-chat, and V3.1, named by its Hugging Face id, only from a server
// of its own (provider deepseek-hf).
func TestDeepSeekAPIGetsOnlyAModelItServes(t *testing.T) {
	ps := FromEnv(func(k string) string { return map[string]string{"DEEPSEEK_API_KEY": "d"}[k] })
	v32 := catalogModel(t, "DeepSeek-V3.2")
	p, ok := ps.Resolve(v32)
	require.True(t, ok)
	require.Equal(t, DefaultDeepSeekBaseURL, p.BaseURL)
	body, err := RewriteOpenAI([]byte(`{"model":"model-router","messages":[{"role":"user","content":"hi"}]}`), APIChatCompletions, v32)
	require.NoError(t, err)
	var name string
	require.NoError(t, json.Unmarshal(rawMembers(t, body)["model"], &name))
	assert.Equal(t, "deepseek-chat", name)

	v31 := catalogModel(t, "DeepSeek-V3.1")
	_, ok = ps.Resolve(v31)
	assert.False(t, ok, "DeepSeek's API does not serve V3.1")
	hosted := FromEnviron([]string{"MODELROUTER_UPSTREAM_DEEPSEEK_HF_BASE_URL=http://127.0.0.1:8000/v1"})
	p, ok = hosted.Resolve(v31)
	require.True(t, ok)
	assert.Equal(t, "http://127.0.0.1:8000/v1", p.BaseURL)
}

// OpenAI answers `include: ["reasoning.encrypted_content"]` on a
// non-reasoning model with 400 "Encrypted content is not supported with
// this model." (param include): a Responses client that asks for
// encrypted reasoning (Codex and other stateless agents do) must not fail
// when gpt-4.1, gpt-4o or gpt-5-chat is chosen, so the entry is dropped.
func TestNonReasoningModelGetsNoEncryptedReasoningInclude(t *testing.T) {
	for _, id := range []string{"gpt-4.1-2025-04-14", "gpt-5-chat-2025-08-07"} {
		m := catalogModel(t, id)
		body, err := RewriteOpenAI([]byte(`{"model":"model-router","input":"hi","store":false,"reasoning":{"effort":"low"},"include":["reasoning.encrypted_content"]}`), APIResponses, m)
		require.NoError(t, err)
		inc := rawMembers(t, body)["include"]
		assert.False(t, strings.Contains(string(inc), "reasoning.encrypted_content"), "%s body: %s", id, body)
	}
}

// DeepSeek-V3.2 is served as deepseek-chat, DeepSeek's non-thinking mode,
// which takes temperature, top_p, stop, the penalties and logprobs (only
// deepseek-reasoner, the thinking mode, ignores the sampling parameters
// and refuses logprobs): none of them is dropped.
func TestDeepSeekChatKeepsSamplingParameters(t *testing.T) {
	m := catalogModel(t, "DeepSeek-V3.2")
	require.Equal(t, "deepseek-chat", upstreamModel(m))
	body, err := RewriteOpenAI([]byte(`{"model":"model-router","messages":[{"role":"user","content":"hi"}],"temperature":0,"stop":["\n\n"],"logprobs":true,"top_logprobs":3}`), APIChatCompletions, m)
	require.NoError(t, err)
	got := rawMembers(t, body)
	for _, k := range []string{"temperature", "stop", "logprobs", "top_logprobs"} {
		assert.Contains(t, got, k, "deepseek-chat body: %s", body)
	}
}

// DeepSeek's API reads the output limit only from max_tokens and silently
// ignores max_completion_tokens, which the OpenAI SDKs send: the limit
// reaches deepseek-chat as max_tokens, with max_completion_tokens' value
// when a client sets both (the one routing read), and a null one is not
// turned into a limit.
func TestDeepSeekAPIGetsTheOutputLimitAsMaxTokens(t *testing.T) {
	m := catalogModel(t, "DeepSeek-V3.2")
	msgs := `"messages":[{"role":"user","content":"hi"}]`
	tests := []struct {
		limits string
		want   string // max_tokens as sent; "" for none
	}{
		{`"max_completion_tokens":50`, "50"},
		{`"max_tokens":50`, "50"},
		{`"max_tokens":100,"max_completion_tokens":50`, "50"},
		{`"max_completion_tokens":null`, ""},
	}
	for _, tt := range tests {
		body, err := RewriteOpenAI([]byte(`{"model":"model-router",`+msgs+`,`+tt.limits+`}`), APIChatCompletions, m)
		require.NoError(t, err)
		got := rawMembers(t, body)
		assert.NotContains(t, got, "max_completion_tokens", "%s: %s", tt.limits, body)
		if tt.want == "" {
			assert.NotContains(t, got, "max_tokens", "%s: %s", tt.limits, body)
			continue
		}
		assert.Equal(t, tt.want, string(got["max_tokens"]), "%s: %s", tt.limits, body)
	}
}
