package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/router"
	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

// loopbackOnly is a client that reaches 127.0.0.1 alone: a provider
// configured at another address is an error, never a connection.
func loopbackOnly() *http.Client {
	dialer := &net.Dialer{Timeout: time.Second}
	return &http.Client{
		Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
				return nil, errors.New("tests reach 127.0.0.1 only, not " + addr)
			}
			return dialer.DialContext(ctx, network, addr)
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// DeepSeek's own API serves deepseek-chat (the catalog's DeepSeek-V3.2) on
// Chat Completions only; its Responses API takes deepseek-v4-flash alone.
// A Responses call therefore leaves DeepSeek-V3.2 out before routing,
// saying why, and goes to the next model, even where the router model
// rates DeepSeek best.
func TestAResponsesCallLeavesOutAModelDeepSeeksAPIServesOnChatOnly(t *testing.T) {
	cat, pred := catalogPrediction(t)
	deepseek, ok := cat.Model("DeepSeek-V3.2")
	require.True(t, ok)
	pred[deepseek.Profile] = router.Estimate{Quality: 0.9, OutputTokens: 200}

	fake := upstreamtest.NewOpenAI(t)
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		"openai":   {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: fake.URL, APIKey: "sk-upstream"},
		"deepseek": {Name: "deepseek", Kind: upstream.KindOpenAI, BaseURL: upstream.DefaultDeepSeekBaseURL, APIKey: "sk-deepseek"},
	}}
	url := serveCatalog(t, cat, pred, ps, Config{})
	client := openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("sk-client"), option.WithMaxRetries(0))

	resp, err := client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Name the capital of Spain.")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"DeepSeek-V3.2", "gpt-4.1-mini"}}))
	require.NoError(t, err)
	assert.Equal(t, "gpt-4.1-mini-2025-04-14", string(resp.Model))
	var reason string
	for _, c := range selection(t, extraOf(resp.JSON.ExtraFields))["candidates"].([]any) {
		if cand := c.(map[string]any); cand["model"] == "DeepSeek-V3.2" {
			reason, _ = cand["reason"].(string)
		}
	}
	assert.Equal(t, "excluded: provider deepseek serves deepseek-chat on Chat Completions only: its Responses API takes deepseek-v4-flash", reason)
}
