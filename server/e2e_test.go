package server

// End-to-end tests: the official OpenAI Go SDK talks to the gateway over
// real loopback HTTP, and the gateway forwards through the real upstream
// Forwarder to fake OpenAI and Anthropic providers.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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

const e2eKey = "sk-client-e2e"

type e2e struct {
	url string
	// seen holds each gateway request's path, query and whether it carried
	// an Authorization header, to prove which route a client used.
	mu        sync.Mutex
	seen      []string
	openai    *upstreamtest.Fake
	anthropic *upstreamtest.Fake
	log       *recordLog
	srv       *Server // the gateway last started
}

func newE2E(t *testing.T, opts ...func(*Config)) *e2e {
	t.Helper()
	e := &e2e{openai: upstreamtest.NewOpenAI(t), anthropic: upstreamtest.NewAnthropic(t), log: &recordLog{}}
	e.start(t, opts...)
	return e
}

// start serves a new gateway in front of e's fakes and decision log: called
// again, it is a restart (nothing kept in memory), at a new URL.
func (e *e2e) start(t *testing.T, opts ...func(*Config)) {
	t.Helper()
	ps := upstream.Providers{ByName: map[string]upstream.Provider{
		// The fake plays OpenAI's API, which reads the ids OpenAI stores.
		"openai":    {Name: "openai", Kind: upstream.KindOpenAI, BaseURL: e.openai.URL, APIKey: "sk-upstream-openai", OpenAIAPI: true},
		"anthropic": {Name: "anthropic", Kind: upstream.KindAnthropic, BaseURL: e.anthropic.Root, APIKey: "sk-upstream-anthropic"},
	}}
	cfg := Config{
		Router:        newTestRouter(t, ps.Available),
		Forwarder:     &upstream.Forwarder{Providers: ps, AttemptTimeout: 5 * time.Second},
		Supports:      ps.Supports,
		Drops:         ps.Drops,
		DerivedEffort: ps.DerivedEffort,
		DefaultOutput: ps.DefaultOutput,
		ReadsThinking: ps.ReadsThinking,
		Available:     ps.Available,
		Log:           e.log,
		Keys:          keyStore{e2eKey: true},
		RequireKeys:   true,
	}
	for _, o := range opts {
		o(&cfg)
	}
	e.srv = New(cfg)
	h := e.srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.seen = append(e.seen, fmt.Sprintf("%s?%s bearer=%t", r.URL.Path, r.URL.RawQuery, r.Header.Get("Authorization") != ""))
		e.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	e.url = ts.URL
}

// openStream posts a streamed chat call with the e2e key under ctx (cancel
// it to leave mid-stream) and returns the answer, its status 200 checked.
func (e *e2e) openStream(t *testing.T, ctx context.Context, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return resp
}

func (e *e2e) lastSeen() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.seen) == 0 {
		return ""
	}
	return e.seen[len(e.seen)-1]
}

// wantPath is the gateway path each client uses for Chat Completions.
var wantPath = map[string]string{
	"v1":        "/v1/chat/completions? bearer=true",
	"openai/v1": "/openai/v1/chat/completions? bearer=true",
	"azure":     "/openai/deployments/model-router/chat/completions?api-version=2024-10-21 bearer=false",
}

// clients returns SDK clients for the /v1 routes, their /openai/v1 aliases
// and the Azure deployment path (api-key header, api-version query).
func (e *e2e) clients() map[string]openai.Client {
	return map[string]openai.Client{
		"v1":        openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0)),
		"openai/v1": openai.NewClient(option.WithBaseURL(e.url+"/openai/v1/"), option.WithAPIKey(e2eKey), option.WithMaxRetries(0)),
		"azure": openai.NewClient(
			option.WithBaseURL(e.url+"/openai/deployments/model-router/"),
			option.WithQuery("api-version", "2024-10-21"),
			option.WithHeaderDel("Authorization"),
			option.WithHeader("api-key", e2eKey),
			option.WithMaxRetries(0)),
	}
}

// selection reads model_selection_details from an SDK object's extra fields.
func selection(t *testing.T, extra map[string]interface{ Raw() string }) map[string]any {
	t.Helper()
	f, ok := extra["model_selection_details"]
	require.True(t, ok, "model_selection_details missing")
	var d map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.Raw()), &d))
	return d
}

func extraOf[F interface{ Raw() string }](m map[string]F) map[string]interface{ Raw() string } {
	out := map[string]interface{ Raw() string }{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestE2EChat(t *testing.T) {
	e := newE2E(t)
	for name, client := range e.clients() {
		t.Run(name, func(t *testing.T) {
			resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
				Model:    "model-router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
			})
			require.NoError(t, err)
			assert.Equal(t, "mini", resp.Model, "balanced picks the cheapest model within the band")
			require.Len(t, resp.Choices, 1)
			assert.Equal(t, "Hello from mini.", resp.Choices[0].Message.Content)
			d := selection(t, extraOf(resp.JSON.ExtraFields))
			assert.Equal(t, "mini", d["chosen_model"])
			assert.Equal(t, "mini", d["answered_model"])
			assert.Equal(t, "balanced", d["mode"])
			assert.Len(t, d["candidates"], 4)
			assert.Equal(t, wantPath[name], e.lastSeen())
		})
	}
	recs := e.log.waitFor(t, 3)
	for _, r := range recs {
		assert.Equal(t, "mini", r.Answered)
		assert.Equal(t, http.StatusOK, r.Status)
		assert.Positive(t, r.Usage.CompletionTokens)
		assert.Positive(t, r.CostUSD)
	}
	for _, r := range e.openai.Requests() {
		assert.NotContains(t, r.Header.Get("Authorization"), e2eKey, "the client's key never goes upstream")
	}
}

func TestE2EStreamingChat(t *testing.T) {
	e := newE2E(t)
	for name, client := range e.clients() {
		t.Run(name, func(t *testing.T) {
			stream := client.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{
				Model:    "model-router",
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Say hello")},
			})
			var text strings.Builder
			chunks := 0
			var details map[string]any
			for stream.Next() {
				ch := stream.Current()
				chunks++
				assert.Equal(t, "mini", ch.Model)
				if chunks == 1 {
					details = selection(t, extraOf(ch.JSON.ExtraFields))
				}
				if len(ch.Choices) > 0 {
					text.WriteString(ch.Choices[0].Delta.Content)
				}
			}
			require.NoError(t, stream.Err())
			assert.Equal(t, "Hello from mini.", text.String())
			assert.Greater(t, chunks, 2)
			require.NotNil(t, details)
			assert.Equal(t, "mini", details["answered_model"])
		})
	}
	for _, r := range e.log.waitFor(t, 3) {
		assert.True(t, r.Stream)
		assert.Equal(t, "mini", r.Answered)
		assert.Positive(t, r.Usage.CompletionTokens, "usage read from the stream on the side")
		assert.Positive(t, r.FirstByte)
	}
}

func TestE2EResponses(t *testing.T) {
	e := newE2E(t)
	for name, client := range e.clients() {
		t.Run(name, func(t *testing.T) {
			params := responses.ResponseNewParams{
				Model: "model-router",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Write a haiku about routers")},
			}
			resp, err := client.Responses.New(context.Background(), params)
			require.NoError(t, err)
			assert.Equal(t, "mini", resp.Model)
			assert.Equal(t, "Hello from mini.", resp.OutputText())
			d := selection(t, extraOf(resp.JSON.ExtraFields))
			assert.Equal(t, "mini", d["answered_model"])

			stream := client.Responses.NewStreaming(context.Background(), params)
			var text strings.Builder
			completed := false
			for stream.Next() {
				ev := stream.Current()
				switch ev.Type {
				case "response.output_text.delta":
					text.WriteString(ev.Delta)
				case "response.completed":
					completed = true
					assert.Equal(t, "mini", ev.Response.Model)
				}
			}
			require.NoError(t, stream.Err())
			assert.True(t, completed)
			assert.Equal(t, "Hello from mini.", text.String())
		})
	}
	for _, r := range e.log.waitFor(t, 6) {
		assert.Equal(t, "responses", r.API)
		assert.Equal(t, "mini", r.Answered)
	}
}

// TestE2EResponsesAnsweredByClaude: a Responses call restricted to Claude is
// translated to the Messages API and back, streaming or not. Claude stores
// nothing, so a continuation of its answer is not pinned to it.
func TestE2EResponsesAnsweredByClaude(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	onlyClaude := option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}})
	params := responses.ResponseNewParams{
		Model:        "model-router",
		Instructions: openai.String("Be brief."),
		Input:        responses.ResponseNewParamsInputUnion{OfString: openai.String("Write a haiku about routers")},
	}
	resp, err := client.Responses.New(context.Background(), params, onlyClaude)
	require.NoError(t, err)
	assert.Equal(t, "claude", resp.Model)
	assert.Equal(t, "Hello from claude.", resp.OutputText())
	assert.Equal(t, responses.ResponseStatusCompleted, resp.Status)
	assert.Positive(t, resp.Usage.OutputTokens)
	assert.Equal(t, "claude", selection(t, extraOf(resp.JSON.ExtraFields))["answered_model"])

	stream := client.Responses.NewStreaming(context.Background(), params, onlyClaude)
	var text strings.Builder
	var done responses.Response
	for stream.Next() {
		ev := stream.Current()
		switch ev.Type {
		case "response.output_text.delta":
			text.WriteString(ev.Delta)
		case "response.completed":
			done = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello from claude.", text.String())
	assert.Equal(t, "claude", done.Model)
	assert.Equal(t, "Hello from claude.", done.OutputText())

	reqs := e.anthropic.RequestsFor("claude")
	require.Len(t, reqs, 2)
	var sent struct {
		System   string `json:"system"`
		Messages []struct {
			Role string `json:"role"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(reqs[0].Body, &sent))
	assert.Equal(t, "Be brief.", sent.System)
	require.Len(t, sent.Messages, 1)
	assert.Equal(t, "user", sent.Messages[0].Role)

	// Nobody stores a translated answer when the gateway keeps none (no
	// Responses store here): its continuation is refused before routing,
	// saying what to do, not sent to a provider that does not know the id.
	_, err = client.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "model-router", PreviousResponseID: openai.String(resp.ID),
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("And another")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadRequest, apiErr.StatusCode)
	assert.Equal(t, "previous_response_id", apiErr.Param)
	assert.Contains(t, apiErr.Message, "send the whole conversation in input")
	assert.Len(t, e.anthropic.RequestsFor("claude"), 2, "nothing more was sent")
}

func TestE2EFailoverIsVisible(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{FailStatus: http.StatusServiceUnavailable})
	client := e.clients()["v1"]
	resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the capital of France?")},
	})
	require.NoError(t, err)
	assert.NotEqual(t, "mini", resp.Model)
	d := selection(t, extraOf(resp.JSON.ExtraFields))
	assert.Equal(t, "mini", d["chosen_model"])
	assert.Equal(t, resp.Model, d["answered_model"])
	tried, _ := d["fallbacks_tried"].([]any)
	require.Len(t, tried, 1)
	assert.Equal(t, "mini", tried[0].(map[string]any)["model"])
	assert.EqualValues(t, 503, tried[0].(map[string]any)["status"])

	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, "mini", rec.Decision.ChosenID)
	assert.Equal(t, resp.Model, rec.Answered)
	require.Len(t, rec.Attempts, 2)
	assert.Equal(t, "mini", rec.Attempts[0].Model)
	assert.Equal(t, 503, rec.Attempts[0].Status)
}

func TestE2EAllUpstreamsFailIs502(t *testing.T) {
	e := newE2E(t)
	for _, m := range []string{"large", "mini", "nano"} {
		e.openai.Set(m, upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
	}
	e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
	client := e.clients()["v1"]
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
	assert.Equal(t, router.EUpstream, apiErr.Code)
	assert.NotContains(t, apiErr.Message, "sk-upstream", "provider keys never reach clients")
	assert.Empty(t, apiErr.Response.Header.Get("X-Should-Retry"), "failing providers may answer a retry")
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, http.StatusBadGateway, rec.Status)
	assert.Len(t, rec.Attempts, 4)
	assert.Empty(t, rec.Answered)
}

func TestE2EAnthropicAnswersThroughTranslation(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	resp, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	}, option.WithJSONSet("routing_config", map[string]any{"models": []string{"claude"}}))
	require.NoError(t, err)
	assert.Equal(t, "claude", resp.Model)
	assert.Equal(t, "Hello from claude.", resp.Choices[0].Message.Content)
	require.Len(t, e.anthropic.Requests(), 1)
	assert.NotContains(t, string(e.anthropic.Requests()[0].Body), "routing_config")
}

func TestE2EClientDisconnectCancelsUpstream(t *testing.T) {
	e := newE2E(t)
	e.openai.Set("mini", upstreamtest.Behavior{Stall: true})
	client := e.clients()["v1"]
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := client.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    "model-router",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
		})
		done <- err
	}()
	require.Eventually(t, func() bool { return len(e.openai.RequestsFor("mini")) == 1 }, 5*time.Second, 2*time.Millisecond)
	cancel()
	require.Error(t, <-done)
	assert.True(t, e.openai.WaitCancelled("mini", 1, 5*time.Second), "the upstream call saw the cancel")
	rec := e.log.waitFor(t, 1)[0]
	assert.Equal(t, 499, rec.Status, "logged as client closed request")
	assert.Len(t, e.openai.RequestsFor("large"), 0, "no failover after the client left")
}

func TestE2EBadKeyIsRefused(t *testing.T) {
	e := newE2E(t)
	client := openai.NewClient(option.WithBaseURL(e.url+"/v1/"), option.WithAPIKey("sk-wrong"), option.WithMaxRetries(0))
	_, err := client.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model:    "model-router",
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")},
	})
	var apiErr *openai.Error
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	assert.Empty(t, e.openai.Requests())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, e.srv.Wait(ctx))
	assert.Empty(t, e.log.all(), "a refused key decided nothing: no decision row")
}

func TestE2EModelsList(t *testing.T) {
	e := newE2E(t)
	client := e.clients()["v1"]
	page, err := client.Models.List(context.Background())
	require.NoError(t, err)
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
		assert.Equal(t, "model", string(m.Object))
	}
	assert.Equal(t, []string{"model-router", "large", "mini", "nano", "claude"}, ids)
}
