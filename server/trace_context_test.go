package server

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	aoption "github.com/anthropics/anthropic-sdk-go/v2/option"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/modelrouter/modelrouter/server/upstream"
	"github.com/modelrouter/modelrouter/server/upstream/upstreamtest"
)

const (
	clientTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	clientTraceID     = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientTraceState  = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"
)

// postChatWith sends a chat call routed among models (quality mode: the
// best of them first, the rest its fallbacks) with the client's headers h
// added, and returns its status.
func postChatWith(t *testing.T, e *e2e, models string, stream bool, h http.Header) int {
	t.Helper()
	body := `{"model":"model-router","stream":` + map[bool]string{true: "true", false: "false"}[stream] +
		`,"routing_config":{"mode":"quality","models":` + models +
		`},"messages":[{"role":"user","content":"What is the capital of France?"}]}`
	req, err := http.NewRequest(http.MethodPost, e.url+"/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	for k, vs := range h {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+e2eKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// traced is a client's headers with a W3C trace context.
func traced(parent, state string) http.Header {
	h := http.Header{}
	if parent != "" {
		h.Set("traceparent", parent)
	}
	if state != "" {
		h.Set("tracestate", state)
	}
	return h
}

// sentTrace is the traceparent and tracestate of the fake's one request
// for model.
func sentTrace(t *testing.T, f *upstreamtest.Fake, model string) (parent, state []string) {
	t.Helper()
	reqs := f.RequestsFor(model)
	require.Len(t, reqs, 1, "one request for %s", model)
	return reqs[0].Header.Values("traceparent"), reqs[0].Header.Values("tracestate")
}

// A client's valid traceparent and tracestate reach the provider as the
// client sent them, whatever its kind, streamed or not, on every attempt
// of a call that fails over, and the decision log keeps the trace id.
func TestTraceContextGoesOnToTheProvider(t *testing.T) {
	t.Run("a JSON answer from OpenAI", func(t *testing.T) {
		e := newE2E(t)
		h := traced(clientTraceParent, clientTraceState)
		h.Set("Cookie", "session=secret")
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, h))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Equal(t, []string{clientTraceParent}, parent)
		assert.Equal(t, []string{clientTraceState}, state)
		got := onlyRequest(t, e.openai, "mini").Header
		assert.Empty(t, got.Values("Cookie"), "the client's other headers stay behind")
		assert.NotContains(t, got.Get("Authorization"), e2eKey, "the provider gets the gateway's key, not the client's")
		assert.Equal(t, clientTraceID, e.log.waitFor(t, 1)[0].TraceID, "the decision log keeps the trace id")
	})
	t.Run("a streamed answer from Anthropic", func(t *testing.T) {
		e := newE2E(t)
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["claude"]`, true, traced(clientTraceParent, clientTraceState)))
		parent, state := sentTrace(t, e.anthropic, "claude")
		assert.Equal(t, []string{clientTraceParent}, parent)
		assert.Equal(t, []string{clientTraceState}, state)
	})
	t.Run("a Messages stream from Claude", func(t *testing.T) {
		e := newE2E(t)
		client := e.anthropicClients()["v1"]
		stream := client.Messages.NewStreaming(context.Background(), helloParams("Say hello"), onlyModels("claude"),
			aoption.WithHeader("traceparent", clientTraceParent), aoption.WithHeader("tracestate", clientTraceState))
		for stream.Next() {
		}
		require.NoError(t, stream.Err())
		parent, state := sentTrace(t, e.anthropic, "claude")
		assert.Equal(t, []string{clientTraceParent}, parent)
		assert.Equal(t, []string{clientTraceState}, state)
		assert.Equal(t, clientTraceID, e.log.waitFor(t, 1)[0].TraceID)
	})
	t.Run("a JSON answer from Azure OpenAI", func(t *testing.T) {
		e := newE2E(t)
		e.start(t, func(c *Config) {
			c.Forwarder = &upstream.Forwarder{AttemptTimeout: 5 * time.Second, Providers: upstream.Providers{ByName: map[string]upstream.Provider{
				"openai": {Name: "azure", Kind: upstream.KindAzure, BaseURL: e.openai.Root, APIKey: "sk-upstream-azure"},
			}}}
		})
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, traced(clientTraceParent, "")))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Equal(t, []string{clientTraceParent}, parent)
		assert.Empty(t, state, "the client sent none")
	})
	t.Run("both attempts of a failover", func(t *testing.T) {
		e := newE2E(t)
		e.anthropic.Set("claude", upstreamtest.Behavior{FailStatus: http.StatusInternalServerError})
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["claude","mini"]`, true, traced(clientTraceParent, clientTraceState)))
		for _, got := range []upstreamtest.Request{onlyRequest(t, e.anthropic, "claude"), onlyRequest(t, e.openai, "mini")} {
			assert.Equal(t, []string{clientTraceParent}, got.Header.Values("traceparent"), got.Model)
			assert.Equal(t, []string{clientTraceState}, got.Header.Values("tracestate"), got.Model)
		}
		assert.Equal(t, clientTraceID, e.log.waitFor(t, 1)[0].TraceID)
	})
	t.Run("a read of a stored answer by its id", func(t *testing.T) {
		e := newE2E(t)
		client := e.clients()["v1"]
		made, err := client.Responses.New(context.Background(), ask("Name a river."), onModel("large"))
		require.NoError(t, err)
		_, err = client.Responses.Get(context.Background(), made.ID, responses.ResponseGetParams{},
			option.WithHeader("traceparent", clientTraceParent), option.WithHeader("tracestate", clientTraceState))
		require.NoError(t, err)
		var reads []upstreamtest.Request
		for _, r := range e.openai.Requests() {
			if r.Method == http.MethodGet {
				reads = append(reads, r)
			}
		}
		require.Len(t, reads, 1)
		assert.Equal(t, []string{clientTraceParent}, reads[0].Header.Values("traceparent"))
		assert.Equal(t, []string{clientTraceState}, reads[0].Header.Values("tracestate"))
	})
	t.Run("nothing from a client that sent none", func(t *testing.T) {
		e := newE2E(t)
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, nil))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Empty(t, parent)
		assert.Empty(t, state)
		assert.Empty(t, e.log.waitFor(t, 1)[0].TraceID)
	})
}

// A traceparent that does not parse is not passed on, and neither is the
// tracestate that came with it; the call is answered as one without a
// trace. A tracestate that is not the spec's list is dropped alone.
func TestInvalidTraceContextIsNotForwarded(t *testing.T) {
	for name, parent := range map[string]string{
		"uppercase hex":         "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
		"all-zero trace id":     "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
		"all-zero parent id":    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
		"short trace id":        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
		"version ff":            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
		"version 00 with more":  clientTraceParent + "-00",
		"not hex":               "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01",
		"not trace context":     "hello",
		"later version, no '-'": "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
	} {
		t.Run(name, func(t *testing.T) {
			e := newE2E(t)
			require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, traced(parent, clientTraceState)))
			got, state := sentTrace(t, e.openai, "mini")
			assert.Empty(t, got)
			assert.Empty(t, state, "no tracestate without the traceparent it belongs to")
			assert.Empty(t, e.log.waitFor(t, 1)[0].TraceID, "logged as a call without a trace")
		})
	}
	t.Run("tracestate without a traceparent", func(t *testing.T) {
		e := newE2E(t)
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, traced("", clientTraceState)))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Empty(t, parent)
		assert.Empty(t, state)
	})
	t.Run("a tracestate over 512 bytes", func(t *testing.T) {
		e := newE2E(t)
		long := strings.Repeat("k", 256) + "=" + strings.Repeat("a", 256) // the longest member: 513 bytes
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, traced(clientTraceParent, long)))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Equal(t, []string{clientTraceParent}, parent, "the traceparent still goes")
		assert.Empty(t, state)
	})
	t.Run("a tracestate with a member outside the spec's grammar", func(t *testing.T) {
		e := newE2E(t)
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, traced(clientTraceParent, clientTraceState+",Rojo=1")))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Equal(t, []string{clientTraceParent}, parent, "the traceparent still goes")
		assert.Empty(t, state, "discarded whole, not passed on with a member less")
	})
	t.Run("a tracestate of 33 list members", func(t *testing.T) {
		e := newE2E(t)
		members := make([]string, 33)
		for i := range members {
			members[i] = "v" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "=1"
		}
		require.Equal(t, http.StatusOK, postChatWith(t, e, `["mini"]`, false, traced(clientTraceParent, strings.Join(members, ","))))
		parent, state := sentTrace(t, e.openai, "mini")
		assert.Equal(t, []string{clientTraceParent}, parent)
		assert.Empty(t, state)
	})
}
